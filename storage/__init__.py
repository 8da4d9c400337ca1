"""Persistence: SQLAlchemy models, the engine and session factory, repositories, migrations."""
