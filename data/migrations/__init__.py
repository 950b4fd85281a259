"""Schema migrations of Huddle's database (Alembic): ``data.db.init_db`` runs them."""
