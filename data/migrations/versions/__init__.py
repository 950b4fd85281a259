"""Migration revisions, oldest first: 0001 is schema 3, 0002 adds the OKR tables (schema 4)."""
