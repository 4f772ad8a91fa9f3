"""Osmi: an open-source ticketing backend served over gRPC and REST."""

__version__ = "0.1.0"
