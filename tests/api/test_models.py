"""The model registry over the REST API: models, versions from runs and uploads, files, bad
input and group isolation (aliases and refs: test_models_aliases.py)."""

from __future__ import annotations

from typing import Any

from blake3 import blake3
from sqlalchemy import select

from atrium.server.store.tables import AuditEventRow
from tests.api.models_helpers import (
    MLMODEL,
    model_path,
    models,
    new_model,
    ok,
    register,
    run_with_files,
    upload,
    uploaded,
)
from tests.conftest import World

FILES = {"model/MLmodel": MLMODEL, "model/model.pkl": b"pickled", "model/input_example.json": b"{}"}


def audit(hub: Any, prefix: str) -> list[tuple[str, str | None]]:
    with hub.db.read() as s:
        stmt = select(AuditEventRow.action, AuditEventRow.resource_id).order_by(AuditEventRow.id)
        return [(a, r) for a, r in s.execute(stmt) if a.startswith(prefix)]


def test_models_are_created_listed_renamed_tagged_and_deleted(world: World, hub: Any) -> None:
    made = new_model(world.alice, "churn", description="weekly", tags={"team": "a"})
    assert (made["name"], made["tags"], made["version_count"], made["latest_version"]) == (
        "churn",
        {"team": "a"},
        0,
        None,
    )
    new_model(world.bob, "Bed Demand_v2")
    names = [m["name"] for m in ok(world.bob.get(models()))["items"]]
    assert names == ["churn", "Bed Demand_v2"]
    found = ok(world.bob.get(models(), params={"filter": "DEMAND"}))["items"]
    assert [m["name"] for m in found] == ["Bed Demand_v2"]
    assert ok(world.bob.get(models(), params={"filter": "%"}))["items"] == []
    page = ok(world.bob.get(models(), params={"limit": 1}))
    assert len(page["items"]) == 1 and page["next_cursor"]
    renamed = ok(
        world.alice.patch(model_path("churn"), json={"name": "churn2", "description": None})
    )
    assert (renamed["name"], renamed["description"]) == ("churn2", None)
    assert world.alice.get(model_path("churn")).status_code == 404
    assert (
        world.alice.put(f"{model_path('churn2')}/tags", json={"key": "k", "value": "v"}).status_code
        == 204
    )
    assert ok(world.bob.get(model_path("churn2")))["tags"] == {"team": "a", "k": "v"}
    assert (
        world.alice.delete(f"{model_path('churn2')}/tags", params={"key": "k"}).status_code == 204
    )
    assert (
        world.alice.delete(f"{model_path('churn2')}/tags", params={"key": "k"}).status_code == 404
    )
    assert world.alice.delete(model_path("churn2")).status_code == 204
    assert world.bob.get(model_path("churn2")).status_code == 404
    new_model(world.alice, "churn2")  # a deleted model's name is free again
    assert [a for a, _ in audit(hub, "model.")] == [
        "model.create", "model.create", "model.update", "model.tag", "model.untag",
        "model.delete", "model.create",
    ]  # fmt: skip


def test_bad_names_duplicates_and_other_groups(world: World) -> None:
    new_model(world.alice, "clf")
    duplicate = world.bob.post(models(), json={"name": "clf"})
    assert duplicate.status_code == 409 and duplicate.json()["error"]["code"] == "conflict"
    for name in ("a/b", "tab\there", "nul\x00", "", "x" * 251, "..", "resolve", " padded", "a@b"):
        r = world.alice.post(models(), json={"name": name})
        assert r.status_code == 422, (name, r.text)
        assert r.json()["error"]["code"] == "validation_error"
    assert world.alice.patch(model_path("clf"), json={"name": "x/y"}).status_code == 422
    assert [m["name"] for m in ok(world.alice.get(models()))["items"]] == ["clf"]
    # carol (bio) cannot see ml's model, nor register into it; dave belongs nowhere.
    assert world.carol.get(model_path("clf")).status_code == 404
    assert world.dave.get(models()).status_code == 404
    assert world.carol.post(f"{model_path('clf')}/versions", json={}).status_code == 404
    # bob is a member: he reads alice's model and adds versions, but does not change it.
    assert world.bob.patch(model_path("clf"), json={"description": "x"}).status_code == 403
    assert world.bob.delete(model_path("clf")).status_code == 403
    assert ok(world.alice.get(model_path("clf")))["description"] is None


def test_a_version_from_a_run_shares_its_blobs_and_reads_the_mlmodel(
    world: World, hub: Any
) -> None:
    run_id = run_with_files(world.bob, {**FILES, "notes.txt": b"not the model"})
    new_model(world.alice, "clf")
    v = ok(register(world.bob, "clf", run_id), 201)
    assert (v["version"], v["status"], v["run_id"], v["source"]) == (
        1, "ready", run_id, f"runs:/{run_id}/model",
    )  # fmt: skip
    assert v["flavors"] == ["python_function", "sklearn"]
    assert v["signature"] == {
        "inputs": [{"type": "double", "name": "x"}],
        "outputs": [{"type": "long"}],
    }
    assert v["input_example_path"] == "input_example.json"
    assert v["metrics"] == {"acc": 0.93}
    assert (v["file_count"], v["size"]) == (3, sum(len(d) for d in FILES.values()))
    files = ok(world.bob.get(f"{model_path('clf')}/versions/1/files"))["items"]
    assert {f["path"]: f["hash"] for f in files} == {
        p.removeprefix("model/"): blake3(d).hexdigest() for p, d in FILES.items()
    }
    got = world.bob.get(
        f"{model_path('clf')}/versions/1/files/content", params={"path": "model.pkl"}
    )
    assert got.status_code == 200 and got.content == b"pickled"
    one = ok(register(world.bob, "clf", run_id, path="model/model.pkl"), 201)
    assert one["version"] == 2 and one["flavors"] == []
    assert ok(world.bob.get(f"{model_path('clf')}/versions/2/files"))["items"][0]["path"] == (
        "model.pkl"
    )
    model = ok(world.bob.get(model_path("clf")))
    assert (model["latest_version"], model["version_count"]) == (2, 2)
    versions = ok(world.bob.get(f"{model_path('clf')}/versions"))["items"]
    assert [x["version"] for x in versions] == [2, 1]
    assert ("model_version.create", "clf/1") in audit(hub, "model_version.")


def test_a_run_lists_the_versions_registered_from_it(world: World) -> None:
    run_id, other = run_with_files(world.bob, FILES), run_with_files(world.bob, FILES)
    for name in ("zeta", "alpha"):
        new_model(world.alice, name)
        ok(register(world.bob, name, run_id), 201)
    ok(register(world.bob, "alpha", other), 201)
    ok(register(world.bob, "alpha", run_id), 201)
    assert world.alice.delete(f"{model_path('zeta')}/versions/1").status_code == 204
    of_run = f"/api/v1/groups/ml/runs/{run_id}/model-versions"
    listed = ok(world.alice.get(of_run))
    assert [(v["model"], v["version"], v["run_id"]) for v in listed] == [
        ("alpha", 1, run_id), ("alpha", 3, run_id),
    ]  # fmt: skip
    assert world.carol.get(of_run).status_code == 404
    assert world.alice.get(f"/api/v1/groups/ml/runs/{'0' * 32}/model-versions").status_code == 404


def test_registering_from_elsewhere_or_nothing_is_refused(world: World) -> None:
    new_model(world.alice, "clf")
    bio_run = run_with_files(world.carol, {"model/m.bin": b"x"}, group="bio")
    assert register(world.alice, "clf", bio_run).status_code == 404
    run_id = run_with_files(world.alice, {"model/m.bin": b"x"})
    assert register(world.alice, "clf", run_id, path="nothing").status_code == 422
    for bad in ("../model", "/model", "a//b"):
        assert register(world.alice, "clf", run_id, path=bad).status_code == 422, bad
    assert register(world.alice, "clf", "0" * 32).status_code == 404
    assert ok(world.alice.get(f"{model_path('clf')}/versions"))["items"] == []


def test_an_uploaded_version_is_pending_until_finalized(world: World, hub: Any) -> None:
    new_model(world.alice, "up")
    made = ok(world.bob.post(f"{model_path('up')}/versions", json={"description": "d"}), 201)
    base = f"{model_path('up')}/versions/{made['version']}"
    assert made["status"] == "pending" and made["source"] == "upload"
    assert world.bob.post(f"{base}/finalize").status_code == 422  # no files yet
    for path in ("../../etc/passwd", "/abs", "a//b", "./x", "back\\slash", "nul\x00"):
        assert upload(world.bob, "up", 1, path, b"x").status_code == 422, path
    assert upload(world.alice, "up", 1, "w.bin", b"other's").status_code == 201  # model owner
    assert upload(world.carol, "up", 1, "w.bin", b"x").status_code == 404
    big = bytes(range(256)) * (17 * 2**12 + 1)  # more than one 16 MiB blob
    stored = ok(upload(world.bob, "up", 1, "weights.bin", big), 201)
    assert stored["hash"] == blake3(big).hexdigest()
    ok(upload(world.bob, "up", 1, "MLmodel", b"flavors:\n  onnx: {}\n"), 201)
    pending = world.bob.get(f"{models()}/resolve", params={"ref": "models:/up/latest"})
    assert pending.status_code == 404 and "no ready version" in pending.text
    ready = ok(world.bob.post(f"{base}/finalize"))
    assert (ready["status"], ready["flavors"], ready["file_count"]) == ("ready", ["onnx"], 3)
    assert upload(world.bob, "up", 1, "late.bin", b"x").status_code == 409
    assert world.bob.post(f"{base}/finalize").status_code == 409
    got = world.alice.get(f"{base}/files/content", params={"path": "weights.bin"})
    assert got.content == big
    bad = ok(world.bob.post(f"{model_path('up')}/versions", json={}), 201)["version"]
    ok(upload(world.bob, "up", bad, "MLmodel", b"flavors: [unclosed"), 201)
    refused = world.bob.post(f"{model_path('up')}/versions/{bad}/finalize")
    assert refused.status_code == 422 and "MLmodel" in refused.json()["error"]["message"]
    actions = [a for a, _ in audit(hub, "model_version.")]
    assert actions.count("model_version.upload") == 4 and "model_version.finalize" in actions


def test_versions_are_updated_tagged_and_deleted(world: World) -> None:
    new_model(world.alice, "m")
    number = uploaded(world.bob, "m", {"a.bin": b"a"})
    base = f"{model_path('m')}/versions/{number}"
    assert ok(world.bob.patch(base, json={"description": "better"}))["description"] == "better"
    assert world.bob.put(f"{base}/tags", json={"key": "stage", "value": "qa"}).status_code == 204
    assert ok(world.alice.get(base))["tags"] == {"stage": "qa"}
    assert world.bob.put(f"{base}/tags", json={"key": "../x", "value": "1"}).status_code == 422
    assert world.bob.delete(f"{base}/tags", params={"key": "stage"}).status_code == 204
    other = uploaded(world.alice, "m", {"b.bin": b"b"})
    assert world.bob.delete(f"{model_path('m')}/versions/{other}").status_code == 403
    assert world.bob.delete(base).status_code == 204
    assert world.bob.get(base).status_code == 404
    assert uploaded(world.bob, "m", {"c.bin": b"c"}) == 3  # numbers are never reused
    assert world.bob.get(f"{model_path('m')}/versions/0").status_code == 422
