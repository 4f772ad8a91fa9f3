"""Request ids, the same on both doors: the caller's when plain enough, else a new one."""

from __future__ import annotations

import re
import uuid

REQUEST_ID_HEADER = "x-request-id"

# A caller-chosen id ends up in every log line, so only short, plain ids are
# trusted; anything else (newlines, quotes, kilobytes) is replaced, not escaped.
_ACCEPTABLE_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


def accepted(candidate: str) -> str | None:
    return candidate if _ACCEPTABLE_ID.fullmatch(candidate) else None


def new_request_id() -> str:
    return uuid.uuid4().hex
