"""What every resource shares: the HTTP core and a helper for optional body fields."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote

if TYPE_CHECKING:  # seg() users (dataset refs) must not import httpx
    from atrium.sdk._http import HttpCore


class Resource:
    def __init__(self, http: HttpCore) -> None:
        self._http = http


def compact(**fields: Any) -> dict[str, Any]:
    """Body of a create call: fields left as None are omitted so the server applies defaults."""
    return {key: value for key, value in fields.items() if value is not None}


def seg(value: object) -> str:
    """Quote one path segment, so that an odd name cannot reach another route."""
    return quote(str(value), safe="")
