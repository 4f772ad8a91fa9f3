"""Plain-Python business model: entities, value objects and rules."""
