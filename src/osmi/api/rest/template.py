"""``google.api.http`` path templates: parsing, matching a raw path, decoding its variables.

When several templates match one path, the most specific wins: segment by
segment, a literal beats ``*`` which beats ``**`` (``PathTemplate.rank``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_LITERAL = re.compile(r"[^/{}=*:]+")
_ESCAPED_SLASH = re.compile(r"(%2[Ff])")


@dataclass(frozen=True, slots=True)
class _Variable:
    field_path: str  # dotted proto field names: "ticket_type.name"
    start: int
    end: int  # exclusive; for a trailing ``**`` the template's segment count


@dataclass(frozen=True, slots=True)
class PathTemplate:
    """A parsed ``google.api.http`` path template (``/v1/{name=events/*}:verb``)."""

    source: str
    segments: tuple[str, ...]  # literal text, "*" or "**"
    variables: tuple[_Variable, ...]
    verb: str

    @classmethod
    def parse(cls, source: str) -> PathTemplate:
        path, verb = _split_verb(source)
        if not path.startswith("/") or (verb and not _LITERAL.fullmatch(verb)):
            raise ValueError(f"bad path template {source!r}")
        segments: list[str] = []
        variables: list[_Variable] = []
        for piece in _top_level_pieces(path[1:], source):
            if piece.startswith("{"):
                variables.append(_parse_variable(piece, len(segments), segments, source))
            else:
                _check_segment(piece, source)
                segments.append(piece)
        if "**" in segments[:-1]:
            raise ValueError(f"bad path template {source!r}: '**' must come last")
        return cls(source, tuple(segments), tuple(variables), verb)

    @property
    def rank(self) -> tuple[tuple[int, ...], int]:
        """Sort key among templates matching one path: smaller is more specific."""
        kinds = tuple({"*": 1, "**": 2}.get(segment, 0) for segment in self.segments)
        return kinds, 0 if self.verb else 1

    def match(self, raw_path: str) -> dict[str, str] | None:
        """Raw (still percent-encoded) variable values by field path, or None."""
        if self.verb:
            if not raw_path.endswith(":" + self.verb):
                return None
            raw_path = raw_path[: -len(self.verb) - 1]
        if not raw_path.startswith("/"):
            return None
        parts = raw_path[1:].split("/")
        if not self._fits(parts):
            return None
        return {
            v.field_path: "/".join(parts[v.start : len(parts) if self._is_deep(v) else v.end])
            for v in self.variables
        }

    def _fits(self, parts: list[str]) -> bool:
        deep = self.segments[-1:] == ("**",)
        fixed = len(self.segments) - deep
        if len(parts) < fixed or (not deep and len(parts) != fixed):
            return False
        for segment, part in zip(self.segments[:fixed], parts, strict=False):
            if segment == "*":
                if not part:
                    return False
            elif unquote(part, errors="replace") != segment:
                return False
        return True

    def _is_deep(self, variable: _Variable) -> bool:
        return self.segments[variable.end - 1] == "**"

    def decode(self, field_path: str, raw: str) -> str:
        """Percent-decode per http.proto: multi-segment values keep ``%2F`` as is."""
        variable = next(v for v in self.variables if v.field_path == field_path)
        if variable.end - variable.start == 1 and not self._is_deep(variable):
            return _unquote(raw)
        return "".join(
            part if _ESCAPED_SLASH.fullmatch(part) else _unquote(part)
            for part in _ESCAPED_SLASH.split(raw)
        )


def _split_verb(source: str) -> tuple[str, str]:
    tail = max(source.rfind("/"), source.rfind("}")) + 1
    colon = source.find(":", tail)
    return (source, "") if colon < 0 else (source[:colon], source[colon + 1 :])


def _top_level_pieces(path: str, source: str) -> list[str]:
    """Split on '/' outside braces."""
    pieces: list[str] = []
    current: list[str] = []
    depth = 0
    for char in path:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth not in (0, 1):
            raise ValueError(f"bad path template {source!r}: unbalanced braces")
        if char == "/" and depth == 0:
            pieces.append("".join(current))
            current = []
        else:
            current.append(char)
    if depth:
        raise ValueError(f"bad path template {source!r}: unbalanced braces")
    pieces.append("".join(current))
    return pieces


def _parse_variable(piece: str, start: int, segments: list[str], source: str) -> _Variable:
    if not piece.endswith("}"):
        raise ValueError(f"bad path template {source!r}: text after '}}'")
    name, _, pattern = piece[1:-1].partition("=")
    if not all(_IDENT.fullmatch(part) for part in name.split(".")):
        raise ValueError(f"bad path template {source!r}: bad field path {name!r}")
    for segment in (pattern or "*").split("/"):
        _check_segment(segment, source)
        segments.append(segment)
    return _Variable(name, start, len(segments))


def _check_segment(segment: str, source: str) -> None:
    if segment not in ("*", "**") and not _LITERAL.fullmatch(segment):
        raise ValueError(f"bad path template {source!r}: bad segment {segment!r}")


def _unquote(text: str) -> str:
    # Strict UTF-8: a mangled value is the caller's error (400), not U+FFFD.
    return unquote(text, errors="strict")
