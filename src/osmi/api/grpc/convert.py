"""Small translations shared by the servicers: time, ids, names."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from google.protobuf.timestamp_pb2 import Timestamp

from osmi.domain.errors import InvalidArgument
from osmi.domain.values import parse_uuid


def timestamp(moment: datetime | None) -> Timestamp | None:
    if moment is None:
        return None
    stamp = Timestamp()
    stamp.FromDatetime(moment.astimezone(UTC))
    return stamp


def instant(stamp: Timestamp, field: str) -> datetime:
    try:
        return stamp.ToDatetime(tzinfo=UTC)
    except (ValueError, OverflowError):
        raise InvalidArgument.field(field, "is not a valid timestamp") from None


def optional_instant(message: object, name: str, field: str) -> datetime | None:
    """The Timestamp field ``name`` of ``message`` if it is set."""
    if not message.HasField(name):  # type: ignore[attr-defined]
        return None
    return instant(getattr(message, name), field)


def uuid_field(raw: str, field: str) -> UUID:
    return parse_uuid(raw, field)


def resource_ids(name: str, field: str, *collections: str) -> list[UUID]:
    """The ids in a resource name such as ``events/{id}/ticketTypes/{id}``."""
    parts = name.strip().split("/")
    pattern = "/".join(f"{c}/{{id}}" for c in collections)
    if len(parts) != 2 * len(collections) or any(
        parts[2 * i] != c for i, c in enumerate(collections)
    ):
        raise InvalidArgument.field(field, f"must look like {pattern!r}")
    return [parse_uuid(parts[2 * i + 1], field) for i in range(len(collections))]
