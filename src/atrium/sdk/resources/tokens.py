"""The caller's own API tokens."""

from __future__ import annotations

from collections.abc import Iterator

from atrium.sdk.models import CreatedToken, Page, Token
from atrium.sdk.resources._base import Resource, compact, seg


class TokensResource(Resource):
    def list(self, *, limit: int | None = None, cursor: str | None = None) -> Page[Token]:
        return self._http.page("/tokens", Token.from_api, {"limit": limit, "cursor": cursor})

    def iter_all(self) -> Iterator[Token]:
        return self._http.iterate("/tokens", Token.from_api)

    def create(self, name: str, expires_in_days: int | None = None) -> CreatedToken:
        """Create a token; the plaintext is in ``.token`` and cannot be retrieved later."""
        body = compact(name=name, expires_in_days=expires_in_days)
        return CreatedToken.from_api(self._http.request("POST", "/tokens", json=body))

    def get(self, token_id: str) -> Token:
        return Token.from_api(self._http.request("GET", f"/tokens/{seg(token_id)}"))

    def revoke(self, token_id: str) -> None:
        self._http.request("DELETE", f"/tokens/{seg(token_id)}")
