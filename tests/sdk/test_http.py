"""The SDK's HTTP core against a scripted transport: paths, auth, paging and error mapping."""

from __future__ import annotations

import json
import math
import socket
from collections.abc import Callable
from datetime import UTC, datetime

import httpx
import pytest

from atrium.sdk import (
    AtriumConnectionError,
    AtriumError,
    BadRequest,
    Client,
    Conflict,
    Forbidden,
    NotFound,
    PayloadTooLarge,
    QuotaExceeded,
    ServerError,
    Unauthenticated,
    ValidationError,
)
from atrium.sdk._http import LARGE_BODY
from atrium.sdk.tracking.models import LatestMetric

Handler = Callable[[httpx.Request], httpx.Response]


def scripted(handler: Handler, token: str | None = "tok") -> Client:
    http = httpx.Client(base_url="http://atrium.test", transport=httpx.MockTransport(handler))
    return Client(http=http, token=token)


def envelope(status: int, code: str, message: str, details: object = None) -> httpx.Response:
    body = {"error": {"code": code, "message": message, "details": details}}
    return httpx.Response(status, json=body, headers={"X-Request-ID": "req-123"})


def test_not_found_envelope_raises_not_found_with_message_and_request_id() -> None:
    client = scripted(lambda _: envelope(404, "not_found", "group 'x' not found"))
    with pytest.raises(NotFound) as caught:
        client.groups.get("x")
    assert caught.value.status == 404
    assert caught.value.code == "not_found"
    assert caught.value.message == "group 'x' not found"
    assert caught.value.request_id == "req-123"
    assert str(caught.value) == "group 'x' not found"


@pytest.mark.parametrize(
    ("status", "code", "error"),
    [
        (400, "bad_request", BadRequest),
        (422, "validation_error", ValidationError),
        (401, "unauthenticated", Unauthenticated),
        (403, "forbidden", Forbidden),
        (403, "csrf_failed", Forbidden),
        (404, "not_found", NotFound),
        (409, "conflict", Conflict),
        (409, "quota_exceeded", QuotaExceeded),
        (413, "payload_too_large", PayloadTooLarge),
        (500, "internal", ServerError),
        (418, "teapot", AtriumError),
    ],
)
def test_each_error_code_maps_to_its_exception(
    status: int, code: str, error: type[AtriumError]
) -> None:
    client = scripted(lambda _: envelope(status, code, "boom"))
    with pytest.raises(AtriumError) as caught:
        client.health()
    assert type(caught.value) is error
    assert (caught.value.status, caught.value.code, caught.value.message) == (status, code, "boom")


def test_validation_details_are_kept() -> None:
    details = [{"loc": ["body", "name"], "msg": "bad name", "type": "x"}]
    client = scripted(lambda _: envelope(422, "validation_error", "invalid input: name", details))
    with pytest.raises(ValidationError) as caught:
        client.groups.create("Bad Name")
    assert caught.value.details == details


def test_non_envelope_error_keeps_status_and_body_excerpt() -> None:
    client = scripted(lambda _: httpx.Response(502, text="<html>Bad gateway</html>"))
    with pytest.raises(ServerError) as caught:
        client.health()
    assert caught.value.status == 502
    assert caught.value.code == "http_502"
    assert "Bad gateway" in caught.value.message
    assert caught.value.request_id is None


def test_transport_failure_raises_connection_error_naming_url_and_remedy() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with pytest.raises(AtriumConnectionError) as caught:
        scripted(refuse).me()
    assert "http://atrium.test" in caught.value.message
    assert "ATRIUM_URL" in caught.value.message
    assert "atrium login" in caught.value.message


def test_real_refused_connection_raises_connection_error() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again below: nothing listens there
    client = Client(f"http://127.0.0.1:{port}", timeout=2)
    with pytest.raises(AtriumConnectionError, match=f"127.0.0.1:{port}"):
        client.health()


def test_requests_carry_prefix_bearer_and_only_set_params() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"items": [], "next_cursor": None})

    since = datetime(2026, 1, 2, 3, 4, tzinfo=UTC)
    scripted(handler).audit.list(group="ml", since=since, limit=10)
    request = seen[0]
    assert request.url.path == "/api/v1/audit"
    assert request.headers["Authorization"] == "Bearer tok"
    assert dict(request.url.params) == {
        "group": "ml",
        "since": "2026-01-02T03:04:00+00:00",
        "limit": "10",
    }


def test_anonymous_client_sends_no_authorization() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"status": "ok", "version": "1", "database": "ok"})

    assert scripted(handler, token=None).health().status == "ok"
    assert "Authorization" not in seen[0].headers


def test_path_segments_are_quoted() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.raw_path.decode())
        return envelope(404, "not_found", "nope")

    with pytest.raises(NotFound):
        scripted(handler).users.get("../groups")
    assert seen == ["/api/v1/users/..%2Fgroups"]


def test_iter_all_follows_next_cursor() -> None:
    pages = {
        None: {"items": [_user("a"), _user("b")], "next_cursor": "c1"},
        "c1": {"items": [_user("c")], "next_cursor": None},
    }
    cursors: list[str | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        cursor = request.url.params.get("cursor")
        cursors.append(cursor)
        return httpx.Response(200, json=pages[cursor])

    client = scripted(handler)
    assert [u.username for u in client.users.iter_all(q="x")] == ["a", "b", "c"]
    assert cursors == [None, "c1"]
    first = client.users.list()
    assert [u.username for u in first] == ["a", "b"]
    assert first.next_cursor == "c1"


def test_login_sets_token_and_logout_clears_it() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/auth/login"):
            assert json.loads(request.content) == {"username": "ann", "password": "pw"}
            body = {
                "token": "session-1",
                "csrf_token": "c",
                "expires_at": "2026-01-01T00:00:00Z",
                "user": _user("ann"),
            }
            return httpx.Response(200, json=body)
        assert request.headers["Authorization"] == "Bearer session-1"
        return httpx.Response(204)

    client = scripted(handler, token=None)
    result = client.auth.login("ann", "pw")
    assert (result.token, client.token, result.user.username) == ("session-1", "session-1", "ann")
    assert result.expires_at == datetime(2026, 1, 1, tzinfo=UTC)
    client.auth.logout()
    assert client.token is None


def test_update_sends_only_given_fields_and_null_for_unlimited() -> None:
    bodies: list[object] = []

    def handler(request: httpx.Request) -> httpx.Response:
        bodies.append(json.loads(request.content))
        return httpx.Response(200, json={"cpu": 4, "memory": 17179869184, "gpu": None})

    quota = scripted(handler).quotas.update("ml", memory="16Gi", gpu=None)
    assert bodies == [{"memory": "16Gi", "gpu": None}]
    assert (quota.cpu, quota.memory, quota.gpu, quota.storage_bytes) == (4, 17179869184, None, None)


def test_repr_never_shows_the_token() -> None:
    client = scripted(lambda _: httpx.Response(204), token="secret-token")
    assert "secret-token" not in repr(client)


def _user(username: str) -> dict[str, object]:
    return {
        "username": username,
        "email": None,
        "display_name": None,
        "is_admin": False,
        "enabled": True,
        "created_at": "2026-01-01T00:00:00+00:00",
        "unknown_future_field": 1,
    }


def test_a_large_search_page_decodes_like_a_small_one() -> None:
    """Bodies over LARGE_BODY take another decoder, and a page's metrics another builder."""
    metrics = {
        "acc": {"value": 0.5, "step": 1, "timestamp": 2, "min": 0.25, "max": 1.0, "count": 3},
        "loss": {"value": "NaN", "step": 0, "timestamp": 1, "min": "-Infinity", "max": "Infinity",
                 "count": 2},
        "old": {"value": 1, "step": 0, "timestamp": 1, "count": 1},
    }  # fmt: skip
    run = {
        "id": "a" * 32, "name": "ŝtupo ✓", "group": "ml", "experiment": "e", "experiment_id": 1,
        "status": "finished", "user": "alice", "start_time": "2026-01-02T03:04:05Z",
        "end_time": None, "parent_run_id": None, "source": {"type": "local", "name": None,
        "job_id": None, "git_commit": None}, "notes": None, "params": {"lr": "0.1"},
        "tags": {}, "metrics": metrics, "inputs": [],
    }  # fmt: skip

    def handler(request: httpx.Request) -> httpx.Response:
        size = int(json.loads(request.content)["limit"])
        return httpx.Response(200, json={"items": [run] * size, "next_cursor": None})

    client = scripted(handler)
    small, large = (client.runs.search("ml", limit=n).items for n in (1, 1000))
    assert len(json.dumps({"items": [run] * 1000})) > LARGE_BODY
    assert repr(large[0]) == repr(large[-1]) == repr(small[0])  # repr: NaN != NaN
    found = small[0].metrics
    assert found["acc"] == LatestMetric(0.5, 1, 2, 0.25, 1.0, 3)
    assert math.isnan(found["loss"].value)
    assert (found["loss"].min, found["loss"].max) == (-math.inf, math.inf)
    assert found["old"] == LatestMetric(1.0, 0, 1, None, None, 1)
    assert type(found["old"].value) is float
    assert small[0].name == "ŝtupo ✓"
    assert found == {k: LatestMetric.from_api(v) for k, v in metrics.items()} | {
        "loss": found["loss"]
    }
