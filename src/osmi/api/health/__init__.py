"""Liveness and readiness over plain HTTP, for load balancers and Kubernetes."""
