"""The schema as SQLAlchemy Core tables. Alembic migrations are the source of
truth for the database; these mirror them for querying."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

_NOW = text("now()")
_UUID = text("gen_random_uuid()")


def _stamps() -> list[Column[object]]:
    return [
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=_NOW),
        Column("updated_at", DateTime(timezone=True), nullable=False, server_default=_NOW),
    ]


users = Table(
    "users",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("public_id", Uuid, nullable=False, unique=True, server_default=_UUID),
    Column("name", Text, nullable=False),
    Column("email", Text, nullable=False, unique=True),
    Column("password_hash", Text, nullable=False),
    Column("role", String(20), nullable=False),
    Column("status", String(20), nullable=False),
    *_stamps(),
    CheckConstraint("role IN ('customer', 'organizer', 'admin')", name="role"),
    CheckConstraint("status IN ('active', 'inactive', 'pending')", name="status"),
)

customers = Table(
    "customers",
    metadata,
    # int32 on purpose: the classic contract exposes this id as int32.
    Column("id", Integer, primary_key=True),
    Column("public_id", Uuid, nullable=False, unique=True, server_default=_UUID),
    Column("name", Text, nullable=False),
    Column("email", Text, nullable=False, unique=True),
    Column("phone", Text, nullable=False, server_default=""),
    *_stamps(),
)

venues = Table(
    "venues",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("public_id", Uuid, nullable=False, unique=True, server_default=_UUID),
    Column("name", Text, nullable=False),
    Column("address", Text, nullable=False, server_default=""),
    Column("city", Text, nullable=False),
    Column("country_code", String(2), nullable=False),
    Column("time_zone", Text, nullable=False),
    Column("capacity", Integer, nullable=False, server_default="0"),
    *_stamps(),
)

events = Table(
    "events",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("public_id", Uuid, nullable=False, unique=True, server_default=_UUID),
    Column("organizer_id", BigInteger, ForeignKey("users.id"), nullable=True),
    Column("venue_id", BigInteger, ForeignKey("venues.id"), nullable=True),
    Column("name", Text, nullable=False),
    Column("description", Text, nullable=False, server_default=""),
    Column("short_description", Text, nullable=False, server_default=""),
    Column("starts_at", DateTime(timezone=True), nullable=False),
    Column("ends_at", DateTime(timezone=True), nullable=False),
    Column("location", Text, nullable=False),
    Column("venue_details", Text, nullable=False, server_default=""),
    Column("genre", Text, nullable=False, server_default=""),
    Column("tags", ARRAY(Text), nullable=False, server_default="{}"),
    Column("is_active", Boolean, nullable=False),
    Column("is_published", Boolean, nullable=False),
    Column("image_url", Text, nullable=False, server_default=""),
    Column("banner_url", Text, nullable=False, server_default=""),
    Column("max_attendees", Integer, nullable=False, server_default="0"),
    *_stamps(),
    CheckConstraint("ends_at > starts_at", name="window"),
    CheckConstraint("max_attendees >= 0", name="max_attendees"),
)

ticket_types = Table(
    "ticket_types",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("public_id", Uuid, nullable=False, unique=True, server_default=_UUID),
    Column("event_id", BigInteger, ForeignKey("events.id"), nullable=False, index=True),
    Column("name", Text, nullable=False),
    Column("description", Text, nullable=False, server_default=""),
    Column("price_minor", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("capacity", Integer, nullable=False),
    Column("sold", Integer, nullable=False, server_default="0"),
    Column("reserved", Integer, nullable=False, server_default="0"),
    Column("max_per_order", Integer, nullable=False),
    Column("sales_start", DateTime(timezone=True), nullable=True),
    Column("sales_end", DateTime(timezone=True), nullable=True),
    Column("is_active", Boolean, nullable=False),
    Column("benefits", ARRAY(Text), nullable=False, server_default="{}"),
    Column("request_id", Uuid, nullable=True, unique=True),
    *_stamps(),
    CheckConstraint("price_minor >= 0", name="price"),
    CheckConstraint("capacity > 0", name="capacity"),
    CheckConstraint("sold >= 0 AND reserved >= 0 AND sold + reserved <= capacity", name="seats"),
    CheckConstraint("max_per_order > 0", name="max_per_order"),
    CheckConstraint(
        "sales_end IS NULL OR sales_start IS NULL OR sales_end > sales_start", name="sale_window"
    ),
)

tickets = Table(
    "tickets",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("public_id", Uuid, nullable=False, unique=True, server_default=_UUID),
    Column("code", Text, nullable=False, unique=True),
    Column("event_id", BigInteger, ForeignKey("events.id"), nullable=False, index=True),
    Column("ticket_type_id", BigInteger, ForeignKey("ticket_types.id"), nullable=False, index=True),
    Column("holder_user_id", BigInteger, ForeignKey("users.id"), nullable=True, index=True),
    Column("holder_customer_id", Integer, ForeignKey("customers.id"), nullable=True, index=True),
    Column("status", String(20), nullable=False),
    Column("price_minor", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("checked_in_at", DateTime(timezone=True), nullable=True),
    Column("checked_in_gate", Text, nullable=True),
    *_stamps(),
    CheckConstraint("num_nonnulls(holder_user_id, holder_customer_id) = 1", name="one_holder"),
    CheckConstraint(
        "status IN ('available', 'reserved', 'sold', 'used', 'cancelled')", name="status"
    ),
    CheckConstraint("status <> 'used' OR checked_in_at IS NOT NULL", name="used_has_time"),
)

check_ins = Table(
    "check_ins",
    metadata,
    Column("id", BigInteger, primary_key=True),
    Column("ticket_id", BigInteger, ForeignKey("tickets.id"), nullable=True),
    Column("event_public_id", Uuid, nullable=False),
    Column("code", Text, nullable=False),
    Column("gate", Text, nullable=False),
    Column("outcome", String(20), nullable=False),
    Column("reason", String(30), nullable=True),
    Column("scanned_at", DateTime(timezone=True), nullable=False),
    CheckConstraint("outcome IN ('admitted', 'already_used', 'rejected')", name="outcome"),
)

# Belt and braces for "one admission per ticket": even a bug in the
# conditional update could not record two admitted scans of one ticket.
Index(
    "uq_check_ins_one_admission",
    check_ins.c.ticket_id,
    unique=True,
    postgresql_where=check_ins.c.outcome == "admitted",
)
Index("ix_check_ins_event_scanned", check_ins.c.event_public_id, check_ins.c.scanned_at)
Index(
    "uq_ticket_types_event_name",
    ticket_types.c.event_id,
    func.lower(ticket_types.c.name),
    unique=True,
)
