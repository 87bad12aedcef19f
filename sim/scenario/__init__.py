"""The scenario: its schema, quantities, loading and provenance, and words for its numbers."""
