"""The doors: gRPC servicers, the REST transcoder and the health endpoints."""
