"""The gRPC door: servicers that translate and delegate, interceptors, the server."""
