"""The classic service must stay wire-compatible with the Go server's osmi.proto.

The tables below are transcribed from the classic contract document (field
names, numbers and types, RPCs, REST routes); the generated descriptors must
match them exactly, so an accidental renumbering or retyping fails here.
"""

from __future__ import annotations

import pytest
from google.api import annotations_pb2
from google.protobuf.descriptor import FieldDescriptor

from osmi.classic import osmi_pb2

S, I32, D, B, TS = "string", "int32", "double", "bool", ".google.protobuf.Timestamp"
REP = "repeated "

MESSAGES: dict[str, list[tuple[str, int, str]]] = {
    "Empty": [],
    "TicketRequest": [("event_id", 1, S), ("user_id", 2, S), ("category_id", 3, S),
                      ("quantity", 4, I32)],
    "TicketResponse": [("ticket_id", 1, S), ("status", 2, S), ("code", 3, S),
                       ("qr_code_url", 4, S), ("event_name", 5, S), ("event_date", 6, S),
                       ("location", 7, S), ("price", 8, D), ("category_name", 9, S),
                       ("created_at", 10, TS)],
    "TicketListResponse": [("tickets", 1, REP + ".osmi.TicketResponse"), ("total_count", 2, I32)],
    "CustomerRequest": [("name", 1, S), ("email", 2, S), ("phone", 3, S)],
    "CustomerLookup": [("id", 1, I32), ("public_id", 2, S), ("email", 3, S)],
    "CustomerResponse": [("id", 1, I32), ("public_id", 2, S), ("name", 3, S), ("email", 4, S),
                         ("phone", 5, S), ("created_at", 6, TS), ("updated_at", 7, TS)],
    "UserRequest": [("name", 1, S), ("email", 2, S), ("password", 3, S), ("role", 4, S)],
    "UserResponse": [("user_id", 1, S), ("status", 2, S), ("name", 3, S), ("email", 4, S),
                     ("role", 5, S), ("created_at", 6, TS)],
    "UserLookup": [("user_id", 1, S)],
    "EventRequest": [("name", 1, S), ("description", 2, S), ("short_description", 3, S),
                     ("start_date", 4, S), ("end_date", 5, S), ("location", 6, S),
                     ("venue_details", 7, S), ("category", 8, S), ("tags", 9, REP + S),
                     ("is_active", 10, B), ("is_published", 11, B), ("image_url", 12, S),
                     ("banner_url", 13, S), ("max_attendees", 14, I32)],
    "EventResponse": [("public_id", 1, S), ("name", 2, S), ("description", 3, S),
                      ("short_description", 4, S), ("start_date", 5, S), ("end_date", 6, S),
                      ("location", 7, S), ("venue_details", 8, S), ("category", 9, S),
                      ("tags", 10, REP + S), ("is_active", 11, B), ("is_published", 12, B),
                      ("image_url", 13, S), ("banner_url", 14, S), ("max_attendees", 15, I32),
                      ("total_tickets", 16, I32), ("tickets_sold", 17, I32),
                      ("created_at", 18, TS), ("updated_at", 19, TS)],
    "EventLookup": [("public_id", 1, S)],
    "EventListResponse": [("events", 1, REP + ".osmi.EventResponse"), ("total_count", 2, I32)],
    "CategoryResponse": [("public_id", 1, S), ("name", 2, S), ("description", 3, S),
                         ("price", 4, D), ("quantity_available", 5, I32),
                         ("quantity_sold", 6, I32), ("max_tickets_per_order", 7, I32),
                         ("sales_start", 8, TS), ("sales_end", 9, TS), ("is_active", 10, B),
                         ("benefits", 11, REP + S)],
    "CategoryListResponse": [("categories", 1, REP + ".osmi.CategoryResponse"),
                             ("event_name", 2, S), ("event_public_id", 3, S)],
    "HealthResponse": [("status", 1, S), ("service", 2, S), ("version", 3, S),
                       ("timestamp", 4, TS)],
    "Address": [("street", 1, S), ("city", 2, S), ("state", 3, S), ("country", 4, S),
                ("postal_code", 5, S)],
    "Coordinates": [("latitude", 1, D), ("longitude", 2, D)],
}  # fmt: skip

RPCS = {
    "CreateTicket": ("TicketRequest", "TicketResponse", "post", "/tickets", "*"),
    "ListTickets": ("UserLookup", "TicketListResponse", "get", "/users/{user_id}/tickets", ""),
    "CreateCustomer": ("CustomerRequest", "CustomerResponse", "post", "/customers", "*"),
    "GetCustomer": ("CustomerLookup", "CustomerResponse", "get", "/customers/{id}", ""),
    "CreateUser": ("UserRequest", "UserResponse", "post", "/users", "*"),
    "CreateEvent": ("EventRequest", "EventResponse", "post", "/events", "*"),
    "GetEvent": ("EventLookup", "EventResponse", "get", "/events/{public_id}", ""),
    "ListEvents": ("Empty", "EventListResponse", "get", "/events", ""),
    "GetEventCategories": (
        "EventLookup", "CategoryListResponse", "get", "/events/{public_id}/categories", "",
    ),
    "HealthCheck": ("Empty", "HealthResponse", "get", "/health", ""),
}  # fmt: skip

_SCALARS = {
    FieldDescriptor.TYPE_STRING: S,
    FieldDescriptor.TYPE_INT32: I32,
    FieldDescriptor.TYPE_DOUBLE: D,
    FieldDescriptor.TYPE_BOOL: B,
}


def _type_of(field: FieldDescriptor) -> str:
    name = (
        "." + field.message_type.full_name
        if field.type == FieldDescriptor.TYPE_MESSAGE
        else _SCALARS[field.type]
    )
    return (REP if field.is_repeated else "") + name


def test_the_file_declares_package_osmi_and_exactly_the_contract_messages() -> None:
    assert osmi_pb2.DESCRIPTOR.package == "osmi"
    assert set(osmi_pb2.DESCRIPTOR.message_types_by_name) == set(MESSAGES)


@pytest.mark.parametrize("name", sorted(MESSAGES))
def test_message_fields_match_the_contract(name: str) -> None:
    descriptor = osmi_pb2.DESCRIPTOR.message_types_by_name[name]
    actual = [(f.name, f.number, _type_of(f)) for f in descriptor.fields]
    assert actual == MESSAGES[name]


def test_customer_lookup_is_a_oneof() -> None:
    lookup = osmi_pb2.CustomerLookup.DESCRIPTOR.oneofs_by_name["lookup"]
    assert [f.name for f in lookup.fields] == ["id", "public_id", "email"]


def test_service_methods_and_rest_routes_match_the_contract() -> None:
    service = osmi_pb2.DESCRIPTOR.services_by_name["OsmiService"]
    assert service.full_name == "osmi.OsmiService"
    assert [m.name for m in service.methods] == list(RPCS)
    for method in service.methods:
        request, response, verb, path, body = RPCS[method.name]
        assert method.input_type.name == request
        assert method.output_type.name == response
        assert not method.client_streaming
        assert not method.server_streaming
        rule = method.GetOptions().Extensions[annotations_pb2.http]
        assert (rule.WhichOneof("pattern"), getattr(rule, verb), rule.body) == (verb, path, body)
