"""The REST door: HTTP/JSON routes transcoded in-process from the protos' ``google.api.http``."""
