"""Persistence: SQLAlchemy models, sessions, repositories, migrations and encrypted types."""
