"""Atrium: an open-source MLOps hub for groups sharing data, compute and models."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from atrium.sdk import Client

__version__ = "0.1.0"

__all__ = ["Client", "__version__"]


def __getattr__(name: str) -> Any:
    # The SDK (httpx and its models, ~0.1 s) loads on first use, not with every `atrium.*`
    # import: the CLI, the server and offline dataset commands do not all need it.
    if name == "Client":
        from atrium.sdk import Client

        return Client
    raise AttributeError(f"module 'atrium' has no attribute {name!r}")
