"""Proto field kinds as the REST door sees them, and text values (path, query) in JSON form."""

from __future__ import annotations

import re

from google.protobuf.descriptor import FieldDescriptor

_INTEGER = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")
_FLOAT_WORDS = frozenset({"NaN", "Infinity", "-Infinity"})
_TRUE = frozenset({"true", "t", "1"})
_FALSE = frozenset({"false", "f", "0"})
# Well-known messages whose proto3 JSON form is a string, so a path or query
# value can fill them.
STRING_WKTS = frozenset(
    {"google.protobuf.Timestamp", "google.protobuf.Duration", "google.protobuf.FieldMask"}
)
WRAPPERS = frozenset(
    f"google.protobuf.{n}Value"
    for n in ("Double", "Float", "Int64", "UInt64", "Int32", "UInt32", "Bool", "String", "Bytes")
)
# Well-known messages whose JSON form is not an object with their fields.
OPAQUE_WKTS = (
    STRING_WKTS
    | WRAPPERS
    | {"google.protobuf.Value", "google.protobuf.ListValue", "google.protobuf.Struct"}
    | {"google.protobuf.Any", "google.protobuf.Empty"}
)
INT_TYPES = frozenset(
    {
        FieldDescriptor.TYPE_INT32,
        FieldDescriptor.TYPE_INT64,
        FieldDescriptor.TYPE_UINT32,
        FieldDescriptor.TYPE_UINT64,
        FieldDescriptor.TYPE_SINT32,
        FieldDescriptor.TYPE_SINT64,
        FieldDescriptor.TYPE_FIXED32,
        FieldDescriptor.TYPE_FIXED64,
        FieldDescriptor.TYPE_SFIXED32,
        FieldDescriptor.TYPE_SFIXED64,
    }
)
FLOAT_TYPES = frozenset({FieldDescriptor.TYPE_FLOAT, FieldDescriptor.TYPE_DOUBLE})


def from_text(field: FieldDescriptor, text: str) -> object:
    """The JSON value ``json_format`` expects for ``text`` (it range-checks ints)."""
    if field.message_type is not None:
        kind = field.message_type.full_name
        if kind in WRAPPERS:
            return from_text(field.message_type.fields_by_name["value"], text)
        if kind == "google.protobuf.FieldMask":
            return camel_mask(text)
        if kind in STRING_WKTS:
            return text
        raise ValueError(f"a {kind} cannot be given as text")
    if field.type == FieldDescriptor.TYPE_BOOL:
        return _bool(text)
    if field.type in INT_TYPES:
        if not _INTEGER.fullmatch(text):
            raise ValueError(f"{text[:40]!r} is not an integer")
        return int(text)
    if field.type in FLOAT_TYPES:
        if text in _FLOAT_WORDS:
            return text
        if not _DECIMAL.fullmatch(text):
            raise ValueError(f"{text[:40]!r} is not a number")
        return float(text)
    if field.type == FieldDescriptor.TYPE_ENUM and _INTEGER.fullmatch(text):
        return int(text)
    return text  # strings, enum names, base64 bytes: as in JSON


def _bool(text: str) -> bool:
    if text.lower() in _TRUE:
        return True
    if text.lower() in _FALSE:
        return False
    raise ValueError(f"{text[:40]!r} is not a boolean (true or false)")


def camel_mask(text: str) -> str:
    """A field mask as proto3 JSON wants it (``displayName,price``), also from the
    snake_case paths the protos document (``display_name, price``)."""
    return ",".join(_camel(path.strip()) for path in text.split(","))


def _camel(path: str) -> str:
    return ".".join(
        head + "".join(part[:1].upper() + part[1:] for part in rest)
        for head, *rest in (segment.split("_") for segment in path.split("."))
    )


def json_type_problem(field: FieldDescriptor, value: object) -> str | None:
    """Why ``value`` cannot be the proto3 JSON of scalar ``field``, or None.

    json_format would answer with Python's own wording ("expected string or
    bytes-like object"); this says it in the API's terms.
    """
    if field.type == FieldDescriptor.TYPE_STRING and not isinstance(value, str):
        return "must be a JSON string"
    if field.type == FieldDescriptor.TYPE_BOOL and not isinstance(value, bool):
        return "must be true or false"
    numeric = field.type in INT_TYPES or field.type in FLOAT_TYPES
    if numeric and (isinstance(value, bool) or not isinstance(value, int | float | str)):
        return "must be a number"
    return None
