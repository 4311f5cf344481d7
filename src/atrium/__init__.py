"""Atrium: an open-source MLOps hub for groups sharing data, compute and models."""

from atrium.sdk import Client

__version__ = "0.1.0"

__all__ = ["Client", "__version__"]
