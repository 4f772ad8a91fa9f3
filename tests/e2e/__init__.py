"""End-to-end tests: a real ``osmi serve`` process, real clients."""
