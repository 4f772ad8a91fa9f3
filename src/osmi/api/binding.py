"""A proto service paired with the object that serves it, as both doors (gRPC, REST) take it."""

from __future__ import annotations

from dataclasses import dataclass

from google.protobuf.descriptor import ServiceDescriptor


@dataclass(frozen=True)
class ServiceBinding:
    descriptor: ServiceDescriptor
    servicer: object
