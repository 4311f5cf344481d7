"""The client's transport: no TLS context for a plain-HTTP server, verified TLS for https."""

from __future__ import annotations

import ssl

import httpx
import pytest

from atrium.sdk import Client
from atrium.sdk.client import _Transport


def test_a_plain_http_client_makes_no_tls_context_up_front(monkeypatch: pytest.MonkeyPatch) -> None:
    for scheme in ("HTTP", "HTTPS", "ALL"):
        monkeypatch.delenv(f"{scheme}_PROXY", raising=False)
        monkeypatch.delenv(f"{scheme.lower()}_proxy", raising=False)
    client = Client(url="http://127.0.0.1:9", token="t")
    transport = client._core.http._transport
    assert isinstance(transport, _Transport)
    assert transport._by_scheme == {}  # nothing made before the first request
    client.close()


def test_https_requests_are_verified() -> None:
    transport = _Transport()
    with pytest.raises(httpx.ConnectError):  # nothing listens there
        transport.handle_request(httpx.Request("GET", "https://127.0.0.1:9/"))
    context = transport._by_scheme["https"]._pool._ssl_context
    assert context is not None
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    transport.close()


def test_proxies_from_the_environment_still_apply(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    client = Client(url="http://127.0.0.1:9", token="t")
    assert not isinstance(client._core.http._transport, _Transport)  # httpx's own, with proxies
    assert client._core.http._mounts
    client.close()
