"""Entities, enums and domain errors: no SQLAlchemy, no FastAPI."""
