"""Page layouts: one module per page, each with ``register()`` and a cheap ``layout()`` (no database access)."""
