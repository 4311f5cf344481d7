"""Raw-bytes HTTP for blobs and packs, next to the SDK's JSON core (same client, token, errors).

Blob uploads are idempotent (content-addressed), so a dropped connection or a 502/503/504 is
retried a few times with a growing pause before the error is raised.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from atrium.sdk._http import API_PREFIX, CONNECTION_HINT, HttpCore, _describe, _raise_for_status
from atrium.sdk.errors import AtriumConnectionError

RETRIES = 3
RETRY_STATUSES = frozenset({502, 503, 504})
Body = Callable[[], bytes | Iterable[bytes]]  # called again for each attempt


class Wire:
    def __init__(self, core: HttpCore) -> None:
        self.core = core

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        return self.core.request(method, path, **kwargs)

    def post_json(self, path: str, payload: bytes, *, retry: bool, wait: float) -> Any:
        """POST an already encoded JSON body; ``retry`` only if doing it twice is harmless.

        ``wait`` is how long the server may take to answer (a large manifest takes a while).
        """
        timeout = httpx.Timeout(wait, connect=30.0)
        return self.send("POST", path, lambda: payload, len(payload), "application/json",
                         retry=retry, timeout=timeout)  # fmt: skip

    def send(
        self,
        method: str,
        path: str,
        body: Body,
        size: int,
        media_type: str,
        *,
        retry: bool = True,
        timeout: httpx.Timeout | None = None,
    ) -> Any:
        """Send raw bytes (retrying transient failures); return the decoded JSON answer."""
        headers = {**self._auth(), "Content-Type": media_type, "Content-Length": str(size)}
        attempts = RETRIES if retry else 1
        limits: Any = timeout or httpx.USE_CLIENT_DEFAULT
        for attempt in range(attempts):
            try:
                response = self.core.http.request(
                    method, API_PREFIX + path, content=body(), headers=headers, timeout=limits
                )
            except httpx.TransportError as exc:
                if attempt + 1 == attempts:
                    raise self._unreachable(exc) from exc
            else:
                if response.status_code not in RETRY_STATUSES or attempt + 1 == attempts:
                    _raise_for_status(response)
                    return response.json() if response.content else None
            time.sleep(0.5 * 2**attempt)
        raise AssertionError("unreachable")  # pragma: no cover

    @contextmanager
    def stream(self, method: str, path: str, *, json: Any = None) -> Iterator[httpx.Response]:
        """A response whose body is read as it arrives; errors are raised before yielding."""
        try:
            with self.core.http.stream(
                method, API_PREFIX + path, json=json, headers=self._auth()
            ) as response:
                if not response.is_success:
                    response.read()
                    _raise_for_status(response)
                yield response
        except httpx.TransportError as exc:
            raise self._unreachable(exc) from exc

    def _auth(self) -> dict[str, str]:
        token = self.core.token
        return {"Authorization": f"Bearer {token}"} if token else {}

    def _unreachable(self, exc: httpx.TransportError) -> AtriumConnectionError:
        return AtriumConnectionError(
            f"lost the Atrium server at {self.core.base_url} ({_describe(exc)}): "
            + CONNECTION_HINT,
            code="connection_error",
        )
