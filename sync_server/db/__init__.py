"""Storage: SQLAlchemy Core tables and the Store (engine + write transactions)."""
