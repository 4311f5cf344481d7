"""Aliases and refs: moves are atomic, audited and in the history; bad targets change nothing."""

from __future__ import annotations

import threading
from typing import Any

from atrium.server.domain.model import Context, Principal, RequestMeta
from tests.api.models_helpers import (
    model_path,
    models,
    new_model,
    ok,
    set_alias,
    upload,
    uploaded,
)
from tests.api.test_models import audit
from tests.conftest import World


def resolve(world: World, ref: str) -> Any:
    return world.bob.get(f"{models()}/resolve", params={"ref": ref})


def history(world: World, name: str, **query: Any) -> list[tuple[str, int | None, int | None]]:
    moves = ok(world.bob.get(f"{model_path(name)}/history", params=query))["items"]
    return [(m["alias"], m["from_version"], m["to_version"]) for m in moves]


def test_aliases_move_and_every_move_is_in_history_and_audit(world: World, hub: Any) -> None:
    new_model(world.alice, "clf")
    one, two = uploaded(world.alice, "clf", {"a": b"1"}), uploaded(world.alice, "clf", {"a": b"2"})
    made = ok(set_alias(world.alice, "clf", "production", one))
    assert (made["alias"], made["version"], made["updated_by"]) == ("production", 1, "alice")
    ok(set_alias(world.alice, "clf", "production", two))
    ok(set_alias(world.alice, "clf", "production", two))  # no move, no event
    ok(set_alias(world.alice, "clf", "candidate", one))
    assert ok(world.bob.get(f"{model_path('clf')}/aliases/production"))["version"] == 2
    assert ok(world.bob.get(model_path("clf")))["aliases"] == {"candidate": 1, "production": 2}
    assert ok(world.bob.get(f"{model_path('clf')}/versions/1"))["aliases"] == ["candidate"]
    assert world.alice.delete(f"{model_path('clf')}/aliases/candidate").status_code == 204
    assert world.alice.delete(f"{model_path('clf')}/aliases/candidate").status_code == 404
    assert world.bob.get(f"{model_path('clf')}/aliases/candidate").status_code == 404
    assert history(world, "clf") == [
        ("candidate", 1, None),
        ("candidate", None, 1),
        ("production", 1, 2),
        ("production", None, 1),
    ]
    assert history(world, "clf", alias="production") == [
        ("production", 1, 2),
        ("production", None, 1),
    ]
    assert [a for a, _ in audit(hub, "model.alias")] == [
        "model.alias_set", "model.alias_set", "model.alias_set", "model.alias_delete",
    ]  # fmt: skip


def test_alias_to_a_missing_pending_or_deleted_version_changes_nothing(world: World) -> None:
    new_model(world.alice, "clf")
    one = uploaded(world.alice, "clf", {"a": b"1"})
    ok(set_alias(world.alice, "clf", "production", one))
    pending = ok(world.alice.post(f"{model_path('clf')}/versions", json={}), 201)["version"]
    ok(upload(world.alice, "clf", pending, "a", b"2"), 201)
    gone = uploaded(world.alice, "clf", {"a": b"3"})
    assert world.alice.delete(f"{model_path('clf')}/versions/{gone}").status_code == 204
    cases = {99: (404, "not_found"), pending: (409, "conflict"), gone: (404, "not_found")}
    for version, (status, code) in cases.items():
        r = set_alias(world.alice, "clf", "production", version)
        assert r.status_code == status and r.json()["error"]["code"] == code, r.text
    for bad in ("latest", "v3", "has space", "a.b"):
        assert set_alias(world.alice, "clf", bad, one).status_code == 422, bad
    assert set_alias(world.bob, "clf", "production", one).status_code == 403
    assert set_alias(world.carol, "clf", "production", one).status_code == 404
    assert ok(world.bob.get(model_path("clf")))["aliases"] == {"production": 1}
    assert history(world, "clf") == [("production", None, 1)]


def test_deleting_a_version_removes_its_aliases_with_a_recorded_move(world: World) -> None:
    new_model(world.alice, "clf")
    one = uploaded(world.alice, "clf", {"a": b"1"})
    ok(set_alias(world.alice, "clf", "production", one))
    assert world.alice.delete(f"{model_path('clf')}/versions/{one}").status_code == 204
    assert ok(world.bob.get(model_path("clf")))["aliases"] == {}
    assert history(world, "clf") == [("production", 1, None), ("production", None, 1)]
    assert resolve(world, "models:/clf@production").status_code == 404


def test_refs_resolve_by_number_alias_and_latest(world: World) -> None:
    new_model(world.alice, "clf")
    one, two = uploaded(world.alice, "clf", {"a": b"1"}), uploaded(world.alice, "clf", {"a": b"2"})
    ok(world.alice.post(f"{model_path('clf')}/versions", json={}), 201)  # pending: not latest
    ok(set_alias(world.alice, "clf", "production", one))
    assert ok(resolve(world, "models:/clf@production"))["version"] == one
    assert ok(resolve(world, "models:/clf/2"))["version"] == two
    assert ok(resolve(world, "models:/clf/latest"))["version"] == two
    for missing in ("models:/clf/9", "models:/clf@nope", "models:/other/1"):
        assert resolve(world, missing).status_code == 404, missing
    for bad in (
        "clf/1",
        "models:/clf",
        "models:/clf/0",
        "models:/clf/x",
        "models:/a/b/c",
        "models:/clf@",
    ):
        r = resolve(world, bad)
        assert r.status_code == 422 and "model ref" in r.text, (bad, r.text)
    assert (
        world.carol.get(f"{models('bio')}/resolve", params={"ref": "models:/clf/1"}).status_code
        == 404
    )
    assert (
        world.carol.get(f"{models()}/resolve", params={"ref": "models:/clf/1"}).status_code == 404
    )


def test_concurrent_alias_moves_serialise(world: World, hub: Any) -> None:
    """Two moves at once: both land, one after the other, and the history chains exactly."""
    new_model(world.alice, "clf")
    numbers = [uploaded(world.alice, "clf", {"a": bytes([i])}) for i in range(3)]
    ok(set_alias(world.alice, "clf", "production", numbers[0]))
    admin = Context(Principal(user_id=1, username="admin", is_admin=True), RequestMeta("t", None))
    barrier, errors = threading.Barrier(2), []

    def move(version: int) -> None:
        barrier.wait()
        try:
            hub.registry.aliases.set(admin, "ml", "clf", "production", version)
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=move, args=(n,)) for n in numbers[1:]]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    moves = list(reversed(history(world, "clf")))
    assert moves[0] == ("production", None, 1)
    assert {m[2] for m in moves[1:]} == {2, 3}
    assert moves[1][1] == 1 and moves[2][1] == moves[1][2]  # each move starts where one ended
    final = ok(world.bob.get(f"{model_path('clf')}/aliases/production"))["version"]
    assert final == moves[2][2]
