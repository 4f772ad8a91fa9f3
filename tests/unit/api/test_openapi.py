"""The OpenAPI document of the REST door: message schemas, operations, path parameter names.

Built from the real services' descriptors (servicers are not needed for the
document), plus a small probe proto for what the real ones lack: well-known
types, maps, bytes, unsigned and recursive fields, ``**``, custom verbs and
``response_body``. No JSON Schema validator is installed, so ``_violations``
checks emitted JSON against the few keywords the document uses.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import httpx
from google.api import annotations_pb2, http_pb2
from google.protobuf import (
    any_pb2,
    descriptor_pb2,
    descriptor_pool,
    duration_pb2,
    empty_pb2,
    field_mask_pb2,
    json_format,
    message_factory,
    struct_pb2,
    timestamp_pb2,
    wrappers_pb2,
)
from google.protobuf.descriptor import Descriptor
from google.protobuf.message import Message

from osmi.api.binding import ServiceBinding
from osmi.api.rest.openapi import openapi_document
from osmi.api.rest.routes import routes_for
from osmi.api.rest.transcoder import build_rest_app
from osmi.classic import osmi_pb2
from osmi.v1 import catalog_pb2, money_pb2, tickets_pb2

BINDINGS = [
    ServiceBinding(osmi_pb2.DESCRIPTOR.services_by_name["OsmiService"], object()),
    ServiceBinding(catalog_pb2.DESCRIPTOR.services_by_name["CatalogService"], object()),
    ServiceBinding(tickets_pb2.DESCRIPTOR.services_by_name["TicketService"], object()),
]
DOCUMENT = openapi_document(routes_for(BINDINGS), version="1.2.3-test")
SCHEMAS = DOCUMENT["components"]["schemas"]
PATHS = DOCUMENT["paths"]


# --------------------------------------------------------------------------- a probe proto

F = descriptor_pb2.FieldDescriptorProto
_PACKAGE = "osmitest.openapi"


def _field(name: str, number: int, kind: int, *, repeated: bool = False, type_name: str = "") -> F:
    label = F.LABEL_REPEATED if repeated else F.LABEL_OPTIONAL
    made = F(name=name, number=number, type=kind, label=label)  # type: ignore[arg-type]
    if type_name:
        made.type_name = type_name
    return made


def _message_field(name: str, number: int, type_name: str, *, repeated: bool = False) -> F:
    return _field(name, number, F.TYPE_MESSAGE, repeated=repeated, type_name=type_name)


def _probe_file() -> descriptor_pb2.FileDescriptorProto:
    probe = descriptor_pb2.FileDescriptorProto(
        name="osmitest/openapi_probe.proto",
        package=_PACKAGE,
        syntax="proto3",
        dependency=[  # each imported above, so loaded into the default pool
            m.DESCRIPTOR.name
            for m in (
                *(annotations_pb2, any_pb2, duration_pb2, empty_pb2, field_mask_pb2),
                *(struct_pb2, timestamp_pb2, wrappers_pb2),
            )
        ],
    )
    probe.message_type.add(
        name="Extras",
        field=[
            _message_field("struct", 1, ".google.protobuf.Struct"),
            _message_field("anything", 2, ".google.protobuf.Value"),
            _field("nothing", 3, F.TYPE_ENUM, type_name=".google.protobuf.NullValue"),
            _message_field("detail", 4, ".google.protobuf.Any"),
            _message_field("list", 5, ".google.protobuf.ListValue"),
            _message_field("mask", 6, ".google.protobuf.FieldMask"),
            _message_field("when", 7, ".google.protobuf.Timestamp"),
        ],
    )
    node = probe.message_type.add(
        name="Node",
        field=[
            _field("id", 1, F.TYPE_STRING),
            _message_field("parent", 2, f".{_PACKAGE}.Node"),
            _message_field("children", 3, f".{_PACKAGE}.Node", repeated=True),
            _message_field("counts", 4, f".{_PACKAGE}.Node.CountsEntry", repeated=True),
            _field("blob", 5, F.TYPE_BYTES),
            _field("big", 6, F.TYPE_UINT64),
            _message_field("limit", 7, ".google.protobuf.Int64Value"),
            _field("ratio", 8, F.TYPE_FLOAT),
            _field("small", 9, F.TYPE_UINT32),
            _message_field("flag", 10, ".google.protobuf.BoolValue"),
            _message_field("extras", 11, f".{_PACKAGE}.Extras", repeated=True),
            _message_field("ttl", 12, ".google.protobuf.Duration"),
        ],
    )
    entry = node.nested_type.add(
        name="CountsEntry",
        field=[_field("key", 1, F.TYPE_STRING), _field("value", 2, F.TYPE_INT64)],
    )
    entry.options.map_entry = True
    probe.message_type.add(
        name="Lookup",
        field=[
            _field("name", 1, F.TYPE_STRING),
            _message_field("node", 2, f".{_PACKAGE}.Node"),
            _field("depth", 3, F.TYPE_INT32),
            _field("tags", 4, F.TYPE_STRING, repeated=True),
        ],
    )
    rule = http_pb2.HttpRule
    probe.service.add(
        name="OpenApiProbe",
        method=[
            _method("Get", "Lookup", "Node", rule(get="/v9/{name=libraries/*/boxes/*}")),
            _method(
                "Drop",
                "Lookup",
                ".google.protobuf.Empty",
                rule(delete="/v9/libraries/{name}/boxes/*"),
            ),
            _method("Twice", "Lookup", "Node", rule(get="/things/{name=things/*/things/*}")),
            _method("Versioned", "Lookup", "Node", rule(get="/v2/{name=*/items/*}")),
            _method("Files", "Lookup", "Node", rule(get="/files/{name=**}")),
            _method("Stray", "Lookup", "Node", rule(get="/rooms/*/x/{name}")),
            _method(
                "Patch",
                "Lookup",
                "Node",
                rule(patch="/lookups/{name}", body="node", response_body="limit"),
            ),
            _method("Echo", "Node", ".google.protobuf.Empty", rule(post="/nodes", body="*")),
            _method("Run", "Lookup", "Node", rule(post="/lookups/{name}:run", body="*")),
        ],
    )
    return probe


def _method(
    name: str, request: str, response: str, rule: http_pb2.HttpRule
) -> descriptor_pb2.MethodDescriptorProto:
    def full(type_name: str) -> str:
        return type_name if type_name.startswith(".") else f".{_PACKAGE}.{type_name}"

    method = descriptor_pb2.MethodDescriptorProto(
        name=name, input_type=full(request), output_type=full(response)
    )
    method.options.Extensions[annotations_pb2.http].CopyFrom(rule)  # type: ignore[index, unused-ignore]
    return method


_PROBE = descriptor_pool.Default().AddSerializedFile(_probe_file().SerializeToString())
PROBE_DOCUMENT = openapi_document(
    routes_for([ServiceBinding(_PROBE.services_by_name["OpenApiProbe"], object())]), version="0"
)
PROBE_SCHEMAS = PROBE_DOCUMENT["components"]["schemas"]
PROBE_PATHS = PROBE_DOCUMENT["paths"]


# --------------------------------------------------------------------------- helpers


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _body(operation: dict[str, Any]) -> Any:
    return operation["requestBody"]["content"]["application/json"]["schema"]


def _ok(operation: dict[str, Any]) -> Any:
    return operation["responses"]["200"]["content"]["application/json"]["schema"]


def _parameters(operation: dict[str, Any], where: str) -> dict[str, dict[str, Any]]:
    return {p["name"]: p for p in operation["parameters"] if p["in"] == where}


def _types(schema: dict[str, Any]) -> set[str]:
    kinds = schema["type"]
    return set(kinds) if isinstance(kinds, list) else {kinds}


def _refs(node: object) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "object": (dict,),
    "array": (list,),
    "null": (type(None),),
}


def _is(value: object, kind: str) -> bool:
    if isinstance(value, bool) and kind != "boolean":
        return False
    return isinstance(value, _JSON_TYPES[kind])


def _violations(
    value: object, schema: dict[str, Any], schemas: dict[str, Any], where: str = "$"
) -> list[str]:
    """Where ``value`` breaks ``schema`` (only the keywords the document uses)."""
    if "$ref" in schema:
        return _violations(value, schemas[schema["$ref"].rsplit("/", 1)[1]], schemas, where)
    if "anyOf" in schema:
        fits = any(not _violations(value, s, schemas, where) for s in schema["anyOf"])
        return [] if fits else [f"{where}: fits no anyOf branch"]
    if "type" in schema and not any(_is(value, k) for k in _types(schema)):
        return [f"{where}: {value!r} is not {schema['type']}"]
    if "enum" in schema and value not in schema["enum"]:
        return [f"{where}: {value!r} not in enum"]
    if isinstance(value, str) and "pattern" in schema and not re.search(schema["pattern"], value):
        return [f"{where}: {value!r} does not match {schema['pattern']}"]
    if isinstance(value, str) and schema.get("format") == "date-time" and not _is_date_time(value):
        return [f"{where}: {value!r} is not an RFC 3339 date-time"]
    if isinstance(value, list):
        return [
            problem
            for i, item in enumerate(value)
            for problem in _violations(item, schema.get("items", {}), schemas, f"{where}[{i}]")
        ]
    if isinstance(value, dict) and "type" in schema:  # a schema without one takes any JSON
        return _object_violations(value, schema, schemas, where)
    return []


def _object_violations(
    value: dict[str, Any], schema: dict[str, Any], schemas: dict[str, Any], where: str
) -> list[str]:
    """Strict about messages: a key their schema does not declare is a violation."""
    problems: list[str] = []
    properties = schema.get("properties", {})
    extra = schema.get("additionalProperties")
    for key, item in value.items():
        if key in properties:
            problems += _violations(item, properties[key], schemas, f"{where}.{key}")
        elif isinstance(extra, dict):
            problems += _violations(item, extra, schemas, f"{where}.{key}")
        elif extra is not True:
            problems.append(f"{where}: undeclared property {key!r}")
    return problems


def _is_date_time(text: str) -> bool:
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return False
    return True


def _emitted(message: Message) -> dict[str, Any]:
    """The JSON the transcoder writes for a response message."""
    return json_format.MessageToDict(message, always_print_fields_with_no_presence=True)


def _probe_message(name: str, document: dict[str, Any]) -> Message:
    descriptor: Descriptor = _PROBE.message_types_by_name[name]
    return json_format.ParseDict(document, message_factory.GetMessageClass(descriptor)())


# --------------------------------------------------------------------------- the document


def test_document_header_and_version_from_the_caller() -> None:
    assert DOCUMENT["openapi"] == "3.1.0"
    assert DOCUMENT["info"] == {"title": "Osmi", "version": "1.2.3-test"}


async def test_the_door_serves_the_same_document() -> None:
    app = build_rest_app(BINDINGS, version="9.9.9")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://osmi.test") as client:
        served = (await client.get("/openapi.json")).json()
    assert served == openapi_document(routes_for(BINDINGS), version="9.9.9")
    assert served["info"]["version"] == "9.9.9"


def test_every_request_and_response_message_has_a_schema() -> None:
    for route in routes_for(BINDINGS):
        for message in (route.method.input_type, route.method.output_type):
            assert SCHEMAS[message.full_name]["type"] == "object", message.full_name


def test_every_ref_resolves() -> None:
    for document in (DOCUMENT, PROBE_DOCUMENT):
        refs = set(_refs(document))
        assert refs
        for ref in refs:
            prefix, _, name = ref.rpartition("/")
            assert prefix == "#/components/schemas", ref
            assert name in document["components"]["schemas"], ref


def test_every_path_parameter_is_declared_exactly_once() -> None:
    for document in (DOCUMENT, PROBE_DOCUMENT):
        for path, item in document["paths"].items():
            in_path = re.findall(r"\{([^}]+)\}", path)
            assert len(in_path) == len(set(in_path)), path
            for operation in item.values():
                declared = [p["name"] for p in operation["parameters"] if p["in"] == "path"]
                assert sorted(declared) == sorted(in_path), (path, operation["operationId"])
                assert all(
                    p["required"] and p["description"]
                    for p in operation["parameters"]
                    if p["in"] == "path"
                )


def test_no_two_paths_differ_only_in_parameter_names() -> None:
    for document in (DOCUMENT, PROBE_DOCUMENT):
        shapes = [re.sub(r"\{[^}]+\}", "{}", path) for path in document["paths"]]
        assert len(shapes) == len(set(shapes))


def test_operation_ids_are_unique_and_errors_are_status() -> None:
    operations = [op for item in PATHS.values() for op in item.values()]
    assert len({op["operationId"] for op in operations}) == len(operations)
    for operation in operations:
        error = operation["responses"]["default"]["content"]["application/json"]["schema"]
        assert error == {"$ref": "#/components/schemas/Status"}
    assert SCHEMAS["Status"]["properties"]["code"] == {"type": "integer", "format": "int32"}


# --------------------------------------------------------------------------- message schemas


def test_ticket_type_follows_the_proto3_json_mapping() -> None:
    properties = SCHEMAS["osmi.v1.TicketType"]["properties"]
    assert properties["displayName"] == {"type": "string"}
    assert "display_name" not in properties
    assert properties["price"] == _ref("osmi.v1.Money")
    assert properties["capacity"] == {"type": "integer", "format": "int32"}
    assert properties["active"] == {"type": "boolean"}
    assert properties["benefits"] == {"type": "array", "items": {"type": "string"}}
    assert properties["saleStartTime"] == {"type": "string", "format": "date-time"}
    units = SCHEMAS["osmi.v1.Money"]["properties"]["unitsMinor"]
    assert "string" in _types(units)
    assert units["format"] == "int64"
    assert SCHEMAS["osmi.v1.Money"]["properties"]["currencyCode"] == {"type": "string"}


def test_classic_messages() -> None:
    quantity = SCHEMAS["osmi.TicketRequest"]["properties"]["quantity"]
    assert quantity == {"type": "integer", "format": "int32"}
    assert SCHEMAS["osmi.TicketResponse"]["properties"]["price"] == {
        "type": "number",
        "format": "double",
    }
    listing = SCHEMAS["osmi.TicketListResponse"]["properties"]["tickets"]
    assert listing == {"type": "array", "items": _ref("osmi.TicketResponse")}
    assert SCHEMAS["osmi.Empty"] == {"type": "object", "properties": {}}
    lookup = SCHEMAS["osmi.CustomerLookup"]
    assert "`id`, `publicId`, `email`" in lookup["description"]
    assert "description" not in SCHEMAS["osmi.v1.TicketType"]  # `optional active` is no oneof


def test_enums_are_their_value_names() -> None:
    names = [v.name for v in tickets_pb2.TicketState.DESCRIPTOR.values]
    assert SCHEMAS["osmi.v1.TicketState"] == {"type": "string", "enum": names}
    assert "TICKET_STATE_SOLD" in names
    assert SCHEMAS["osmi.v1.Ticket"]["properties"]["state"] == _ref("osmi.v1.TicketState")
    outcome = SCHEMAS["osmi.v1.CheckInTicketResponse"]["properties"]["outcome"]
    assert outcome == _ref("osmi.v1.CheckInTicketResponse.Outcome")
    assert "ALREADY_USED" in SCHEMAS["osmi.v1.CheckInTicketResponse.Outcome"]["enum"]


def test_emitted_json_fits_the_schemas() -> None:
    when = timestamp_pb2.Timestamp(seconds=1_767_225_600, nanos=5000)
    price = money_pb2.Money(currency_code="MXN", units_minor=45000)
    ticket = tickets_pb2.Ticket(
        ticket_id="t",
        code="ABC",
        event_id="e",
        event_name="Fest",
        event_start_time=when,
        ticket_type_id="tt",
        ticket_type_display_name="VIP",
        state=tickets_pb2.TICKET_STATE_SOLD,
        price=price,
        holder_id="h",
        create_time=when,
        check_in_time=when,
        check_in_gate="north-1",
    )
    emitted = _emitted(ticket)
    assert emitted["price"]["unitsMinor"] == "45000"  # the reason int64 is a string here
    assert set(emitted) == set(SCHEMAS["osmi.v1.Ticket"]["properties"])
    samples: list[tuple[str, Message]] = [
        ("osmi.v1.Ticket", ticket),
        ("osmi.v1.CheckInTicketResponse", tickets_pb2.CheckInTicketResponse(ticket=ticket)),
        ("osmi.v1.TicketType", catalog_pb2.TicketType(price=price, active=False, benefits=["x"])),
        ("osmi.TicketResponse", osmi_pb2.TicketResponse(price=12.5, created_at=when)),
        ("osmi.EventListResponse", osmi_pb2.EventListResponse(events=[osmi_pb2.EventResponse()])),
    ]
    for name, message in samples:
        assert _violations(_emitted(message), _ref(name), SCHEMAS) == [], name


# --------------------------------------------------------------------------- operations


def test_create_ticket_takes_the_whole_request() -> None:
    operation = PATHS["/tickets"]["post"]
    assert operation["operationId"] == "osmi.OsmiService/CreateTicket"
    assert operation["requestBody"]["required"] is True
    assert _body(operation) == _ref("osmi.TicketRequest")
    assert _ok(operation) == _ref("osmi.TicketResponse")
    assert operation["parameters"] == []  # body "*" leaves nothing to the query


def test_create_ticket_type_takes_the_body_field_and_request_id() -> None:
    operation = PATHS["/v1/events/{event}/ticketTypes"]["post"]
    assert _body(operation) == _ref("osmi.v1.TicketType")
    assert operation["requestBody"]["required"] is True
    assert _ok(operation) == _ref("osmi.v1.TicketType")
    assert _parameters(operation, "query") == {
        "requestId": {"name": "requestId", "in": "query", "schema": {"type": "string"}}
    }
    event = _parameters(operation, "path")["event"]
    assert event["description"] == "fills `parent` as `events/{event}`"
    assert event["schema"] == {"type": "string"}


def test_list_ticket_types_query() -> None:
    operation = PATHS["/v1/events/{event}/ticketTypes"]["get"]
    assert "requestBody" not in operation
    assert _ok(operation) == _ref("osmi.v1.ListTicketTypesResponse")
    query = _parameters(operation, "query")
    assert query["pageSize"]["schema"] == {"type": "integer", "format": "int32"}
    assert query["pageToken"]["schema"] == {"type": "string"}
    assert set(query) == {"pageSize", "pageToken"}


def test_ticket_type_by_name_and_update() -> None:
    item = PATHS["/v1/events/{event}/ticketTypes/{ticketType}"]
    assert set(item) == {"get", "patch"}
    described = _parameters(item["get"], "path")["ticketType"]["description"]
    assert described == "fills `name` as `events/{event}/ticketTypes/{ticketType}`"
    assert _parameters(item["get"], "query") == {}
    update = item["patch"]
    assert update["operationId"] == "osmi.v1.CatalogService/UpdateTicketType"
    assert _body(update) == _ref("osmi.v1.TicketType")
    path = _parameters(update, "path")
    assert set(path) == {"event", "ticketType"}
    assert path["event"]["description"].startswith(
        "fills `ticket_type.name` (`ticketType.name` in JSON) as `events/{event}/"
    )
    assert set(_parameters(update, "query")) == {"updateMask"}
    assert _parameters(update, "query")["updateMask"]["schema"]["type"] == "string"


def test_simple_variables_keep_the_template_names() -> None:
    assert set(PATHS["/events/{public_id}"]) == {"get"}
    assert "get" in PATHS["/events/{public_id}/categories"]
    assert "get" in PATHS["/users/{user_id}/tickets"]
    assert "get" in PATHS["/v1/tickets/{code}"]
    check_in = PATHS["/v1/events/{event_id}/checkIns"]["post"]
    assert _parameters(check_in, "path")["event_id"]["description"] == (
        "fills `event_id` (`eventId` in JSON)"
    )
    assert _body(check_in) == _ref("osmi.v1.CheckInTicketRequest")
    customer = _parameters(PATHS["/customers/{id}"]["get"], "path")["id"]
    assert customer["schema"] == {"type": "integer", "format": "int32"}  # the field's own type


# --------------------------------------------------------------------------- the probe


def test_well_known_types_maps_bytes_and_unsigned_fields() -> None:
    node = PROBE_SCHEMAS[f"{_PACKAGE}.Node"]["properties"]
    assert node["parent"] == _ref(f"{_PACKAGE}.Node")
    assert node["children"] == {"type": "array", "items": _ref(f"{_PACKAGE}.Node")}
    assert node["counts"]["type"] == "object"
    assert "string" in _types(node["counts"]["additionalProperties"])
    assert f"{_PACKAGE}.Node.CountsEntry" not in PROBE_SCHEMAS
    assert node["blob"]["type"] == "string"
    assert node["blob"]["contentEncoding"] == "base64"
    assert node["big"]["format"] == "uint64"
    assert "string" in _types(node["big"])
    assert node["small"]["type"] == "integer"
    assert node["small"]["maximum"] == 2**32 - 1
    assert node["ratio"] == {"type": "number", "format": "float"}
    assert _types(node["limit"]) == {"string", "integer", "null"}  # Int64Value
    assert node["limit"]["format"] == "int64"
    assert _types(node["flag"]) == {"boolean", "null"}  # BoolValue
    assert node["ttl"]["type"] == "string"  # Duration
    extras = PROBE_SCHEMAS[f"{_PACKAGE}.Extras"]["properties"]
    assert extras["struct"] == {"type": "object", "additionalProperties": True}
    assert "type" not in extras["anything"]  # Value: any JSON
    assert extras["nothing"] == {"type": "null"}
    assert extras["detail"]["required"] == ["@type"]
    assert extras["list"]["type"] == "array"
    assert extras["mask"]["type"] == "string"
    assert extras["when"] == {"type": "string", "format": "date-time"}
    assert not any(name.startswith("google.") for name in PROBE_SCHEMAS)


def test_probe_json_fits_the_schemas() -> None:
    node = _probe_message(
        "Node",
        {
            "id": "n",
            "parent": {"id": "p"},
            "children": [{"id": "c"}],
            "counts": {"a": 5},
            "blob": "AP8=",
            "big": str(2**64 - 1),
            "limit": 7,
            "ratio": 0.5,
            "small": 4_000_000_000,
            "flag": False,
            "ttl": "1.5s",
            "extras": [
                {
                    "struct": {"k": [1, "two", None]},
                    "anything": {"deep": True},
                    "nothing": None,
                    "detail": {
                        "@type": "type.googleapis.com/google.protobuf.Timestamp",
                        "value": "2026-01-01T00:00:00Z",
                    },
                    "list": [1, {"x": None}],
                    "mask": "a.b,c",
                    "when": "2026-01-01T00:00:00.000005Z",
                }
            ],
        },
    )
    emitted = _emitted(node)
    assert emitted["counts"] == {"a": "5"}
    assert emitted["limit"] == "7"
    assert _violations(emitted, _ref(f"{_PACKAGE}.Node"), PROBE_SCHEMAS) == []
    wrong = {"limit": 1.5, "children": "x", "ttl_seconds": 1, "extras": [{"when": "May 1st"}]}
    assert len(_violations(wrong, _ref(f"{_PACKAGE}.Node"), PROBE_SCHEMAS)) == len(wrong)


def test_nested_query_parameters_are_dotted_and_stop_at_recursion() -> None:
    operation = PROBE_PATHS["/v9/libraries/{library}/boxes/{box}"]["get"]
    query = _parameters(operation, "query")
    assert set(query) == {
        "depth",
        "tags",
        "node.id",
        "node.blob",
        "node.big",
        "node.limit",
        "node.ratio",
        "node.small",
        "node.flag",
        "node.ttl",
    }
    assert query["tags"]["schema"] == {"type": "array", "items": {"type": "string"}}
    assert _types(query["node.limit"]["schema"]) == {"string", "integer"}  # no null in a query


def test_probe_path_names() -> None:
    library = PROBE_PATHS["/v9/libraries/{library}/boxes/{box}"]
    assert set(library) == {"get", "delete"}  # two templates, one OpenAPI path
    dropped = _parameters(library["delete"], "path")
    assert dropped["library"]["description"] == "fills `name`"
    assert dropped["box"]["description"] == "any value (not used)"
    assert _ok(library["delete"])["type"] == "object"  # google.protobuf.Empty, inline
    assert "get" in PROBE_PATHS["/things/things/{thing}/things/{thing2}"]
    assert "get" in PROBE_PATHS["/v2/{name}/items/{item}"]
    files = _parameters(PROBE_PATHS["/files/{name}"]["get"], "path")["name"]
    assert files["description"] == "fills `name`; may span several segments"
    rooms = _parameters(PROBE_PATHS["/rooms/{room}/x/{name}"]["get"], "path")
    assert rooms["room"]["description"] == "any value (not used)"


def test_body_field_response_body_and_verbs() -> None:
    patch = PROBE_PATHS["/lookups/{name}"]["patch"]
    assert _body(patch) == _ref(f"{_PACKAGE}.Node")
    assert set(_parameters(patch, "query")) == {"depth", "tags"}
    limit = _ok(patch)
    assert limit["anyOf"][1] == {"type": "null"}  # an unset response_body message is null
    assert _types(limit["anyOf"][0]) == {"string", "integer", "null"}
    run = PROBE_PATHS["/lookups/{name}:run"]["post"]
    assert _body(run) == _ref(f"{_PACKAGE}.Lookup")
    assert "the path's values win" in run["requestBody"]["description"]
    echo = PROBE_PATHS["/nodes"]["post"]
    assert _body(echo) == _ref(f"{_PACKAGE}.Node")
    assert _ok(echo) == {"type": "object", "description": "always `{}`"}


def test_a_oneof_chosen_by_the_path_offers_no_rival_query_parameters() -> None:
    document = DOCUMENT
    operation = document["paths"]["/customers/{id}"]["get"]
    names = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
    assert names.isdisjoint({"publicId", "email"})
