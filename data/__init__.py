"""Huddle's database: engine and sessions, models, queries, loaders, and the demo plant generator."""
