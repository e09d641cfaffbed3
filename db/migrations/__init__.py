"""Alembic environment, shipped inside the package so that migrations run after pip install."""
