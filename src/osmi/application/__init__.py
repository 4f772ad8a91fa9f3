"""Use cases: each runs in a unit of work and reaches the world through ports."""
