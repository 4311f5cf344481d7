"""Group secrets over the REST API: write-only values, sealed at rest, bad input."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from atrium.server.domain.errors import InvalidInput
from atrium.server.services.secret_box import SecretBox, SecretKeyError
from atrium.server.store.tables import AuditEventRow, SecretRow
from tests.conftest import World

ML = "/api/v1/groups/ml/secrets"
VALUE = "hunter2-correct-horse"


def _rows(hub: Any) -> list[tuple[str, bytes]]:
    with hub.db.read() as s:
        return [(r.name, r.ciphertext) for r in s.scalars(select(SecretRow))]


def _values(hub: Any, group: str, names: list[str]) -> dict[str, str]:
    with hub.db.read() as s:
        return hub.secrets.values_in(s, hub.quotas.group_id(group), names)  # type: ignore[no-any-return]


def test_values_go_in_and_never_come_out(world: World, hub: Any) -> None:
    r = world.alice.post(ML, json={"name": "DB_PASSWORD", "value": VALUE})
    assert r.status_code == 201, r.text
    assert r.json()["name"] == "DB_PASSWORD" and r.json()["created_by"] == "alice"
    listed = world.bob.get(ML)  # members see names, so they can use them in jobs
    assert [s["name"] for s in listed.json()["items"]] == ["DB_PASSWORD"]
    for response in (r, listed, world.bob.get(f"{ML}/DB_PASSWORD"), world.alice.get(ML)):
        assert VALUE not in response.text
    assert _values(hub, "ml", ["DB_PASSWORD"]) == {"DB_PASSWORD": VALUE}

    [(stored_name, ciphertext)] = _rows(hub)
    assert stored_name == "DB_PASSWORD"
    assert VALUE.encode() not in ciphertext and len(ciphertext) == len(VALUE) + 16  # GCM tag

    updated = world.alice.put(f"{ML}/DB_PASSWORD", json={"value": "rotated"})
    assert updated.status_code == 200 and "rotated" not in updated.text
    assert _values(hub, "ml", ["DB_PASSWORD"]) == {"DB_PASSWORD": "rotated"}
    assert world.alice.delete(f"{ML}/DB_PASSWORD").status_code == 204
    assert world.bob.get(f"{ML}/DB_PASSWORD").status_code == 404


def test_audit_names_the_secret_but_never_holds_its_value(world: World, hub: Any) -> None:
    world.alice.post(ML, json={"name": "TOKEN", "value": VALUE})
    world.alice.put(f"{ML}/TOKEN", json={"value": VALUE + "2"})
    world.alice.delete(f"{ML}/TOKEN")
    with hub.db.read() as s:
        events = s.scalars(select(AuditEventRow).where(AuditEventRow.resource_type == "secret"))
        seen = [(e.action, e.resource_id, str(e.details)) for e in events]
    assert [a for a, _, _ in seen] == ["secret.create", "secret.update", "secret.delete"]
    assert all(rid == "TOKEN" and VALUE not in details for _, rid, details in seen)


def test_other_groups_cannot_see_or_use_them(world: World, hub: Any) -> None:
    world.alice.post(ML, json={"name": "SHARED", "value": VALUE})
    assert world.carol.get(ML).status_code == 404
    assert world.carol.get(f"{ML}/SHARED").status_code == 404
    assert world.carol.get("/api/v1/groups/bio/secrets").json()["items"] == []
    with pytest.raises(InvalidInput, match="SHARED"):
        _values(hub, "bio", ["SHARED"])


@pytest.mark.parametrize(
    "body",
    [
        {"name": "1BAD", "value": "v"},
        {"name": "has-dash", "value": "v"},
        {"name": "ATRIUM_TOKEN", "value": "v"},
        {"name": "atrium_url", "value": "v"},
        {"name": "X" * 129, "value": "v"},
        {"name": "EMPTY", "value": ""},
        {"name": "HUGE", "value": "x" * 65537},
        {"name": "OK", "value": "v", "extra": 1},
        {"name": "NUL\x00", "value": "v"},
    ],
)
def test_bad_input_is_refused_and_changes_nothing(
    world: World, hub: Any, body: dict[str, Any]
) -> None:
    r = world.alice.post(ML, json=body)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "validation_error"
    assert body["value"] not in r.text or body["value"] in ("v", "")
    assert _rows(hub) == []


def test_duplicate_and_missing_names(world: World, hub: Any) -> None:
    world.alice.post(ML, json={"name": "K", "value": "one"})
    dup = world.alice.post(ML, json={"name": "K", "value": "two"})
    assert dup.status_code == 409 and "update it instead" in dup.json()["error"]["message"]
    assert _values(hub, "ml", ["K"]) == {"K": "one"}
    assert world.alice.put(f"{ML}/NOPE", json={"value": "x"}).status_code == 404
    assert world.alice.delete(f"{ML}/NOPE").status_code == 404
    with pytest.raises(InvalidInput) as info:
        _values(hub, "ml", ["K", "NOPE", "ALSO_NOPE"])
    assert info.value.details == {"unknown": ["ALSO_NOPE", "NOPE"]}


def test_sealed_rows_are_bound_to_key_group_and_name(world: World, hub: Any) -> None:
    world.alice.post(ML, json={"name": "A", "value": "alpha"})
    world.alice.post(ML, json={"name": "B", "value": "beta"})
    with hub.db.write() as s:
        a, b = (s.scalar(select(SecretRow).where(SecretRow.name == n)) for n in ("A", "B"))
        assert a is not None and b is not None
        b.ciphertext, b.nonce = a.ciphertext, a.nonce  # an attacker copies A's row over B
    with pytest.raises(SecretKeyError, match="failed authentication"):
        _values(hub, "ml", ["B"])
    assert _values(hub, "ml", ["A"]) == {"A": "alpha"}
    hub.secrets.box = SecretBox(b"\x01" * 32)  # a server started with another key
    with pytest.raises(SecretKeyError, match="original ATRIUM_SECRET_KEY"):
        _values(hub, "ml", ["A"])
