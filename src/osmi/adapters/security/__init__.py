"""Secrets handling: password hashing (and, later, ticket signing)."""
