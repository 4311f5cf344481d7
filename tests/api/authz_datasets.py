"""Authorization-matrix entries for datasets, versions and blobs (see test_authz_matrix.py).

Every call aims at ``ml/scans``: version v1 holding ``a.txt`` (b"alpha"), tagged ``golden``,
made once per world by the platform admin. Reader and writer are ml's members (no grants to
the callers' groups here), deleting and granting need ml's group admin, and everyone outside ml
gets a 404.
"""

from __future__ import annotations

from typing import Any

from blake3 import blake3

from atrium.server.services.blobs import PACK_MEDIA_TYPE, pack_record
from tests.api.authz_setups import Call, Env, Setup, Spec, body, created_iff_allowed, spec

ML = "/api/v1/groups/ml/datasets"
SCANS = f"{ML}/scans"
ALPHA = b"alpha"


def key(data: bytes) -> str:
    return blake3(data).hexdigest()


def entry(path: str, data: bytes) -> dict[str, Any]:
    return {"path": path, "size": len(data), "hash": key(data)}


def scans(env: Env) -> None:
    if "scans" in env.made:
        return
    env.made.add("scans")
    env.ok(env.admin.post(ML, json={"name": "scans"}))
    env.ok(env.admin.put(f"{SCANS}/blobs/{key(ALPHA)}", content=ALPHA))
    env.ok(env.admin.post(f"{SCANS}/versions", json={"files": [entry("a.txt", ALPHA)]}))
    env.ok(env.admin.put(f"{SCANS}/tags/golden", json={"version": "v1"}), 200)


def on_scans(json: Any = None, query: dict[str, str] | None = None, **params: str) -> Setup:
    def setup(env: Env, role: str) -> Call:
        scans(env)
        return Call(params={"name": "scans", **params}, json=json, query=query)

    return setup


def _listed(env: Env, path: str, field: str, value: str) -> bool:
    page = env.ok(env.admin.get(path, params={"limit": 500}), 200)
    return value in {item[field] for item in page["items"]}


def create_dataset(env: Env, role: str) -> Call:
    name = env.fresh("ds")
    return Call(json={"name": name}, verify=created_iff_allowed(env, f"{ML}/{name}"))


def delete_dataset(env: Env, role: str) -> Call:
    name = env.fresh("ds")
    env.ok(env.admin.post(ML, json={"name": name}))
    return Call(
        params={"name": name},
        verify=lambda allowed: created_iff_allowed(env, f"{ML}/{name}")(not allowed),
    )


def untag(env: Env, role: str) -> Call:
    scans(env)
    tag = env.fresh("t")
    env.ok(env.admin.put(f"{SCANS}/tags/{tag}", json={"version": "v1"}), 200)

    def verify(allowed: bool) -> None:
        assert _listed(env, f"{SCANS}/tags", "tag", tag) is not allowed

    return Call(params={"name": "scans", "tag": tag}, verify=verify)


def revoke_grant(env: Env, role: str) -> Call:
    scans(env)
    env.ok(env.admin.put(f"{SCANS}/grants/bio", json={"access": "read"}), 200)

    def verify(allowed: bool) -> None:
        assert _listed(env, f"{SCANS}/grants", "group", "bio") is not allowed

    return Call(params={"name": "scans", "grantee": "bio"}, verify=verify)


def commit_version(env: Env, role: str) -> Call:
    scans(env)
    before = env.ok(env.admin.get(SCANS), 200)["version_count"]

    def verify(allowed: bool) -> None:
        assert env.ok(env.admin.get(SCANS), 200)["version_count"] == before + allowed

    files = [entry(f"{role}.txt", ALPHA)]
    return Call(params={"name": "scans"}, json={"message": role, "files": files}, verify=verify)


def delete_version(env: Env, role: str) -> Call:
    scans(env)
    body = {"files": [entry(f"{env.fresh('f')}.txt", ALPHA)]}
    ref = env.ok(env.admin.post(f"{SCANS}/versions", json=body))["name"]

    def verify(allowed: bool) -> None:
        assert env.status(f"{SCANS}/versions/{ref}") == (404 if allowed else 200)

    return Call(params={"name": "scans", "ref": ref}, verify=verify)


def _stored_iff_allowed(env: Env, data: bytes) -> Any:
    def verify(allowed: bool) -> None:
        missing = env.ok(
            env.admin.post(f"{SCANS}/blobs/missing", json={"hashes": [key(data)]}), 200
        )["missing"]
        assert (missing == []) is allowed

    return verify


def put_blob(env: Env, role: str) -> Call:
    scans(env)
    data = env.fresh("blob").encode()
    return Call(
        params={"name": "scans", "key": key(data)},
        content=data,
        headers={"content-type": "application/octet-stream"},
        verify=_stored_iff_allowed(env, data),
    )


def put_pack(env: Env, role: str) -> Call:
    scans(env)
    data = env.fresh("packed").encode()
    return Call(
        params={"name": "scans"},
        content=pack_record(key(data), data),
        headers={"content-type": PACK_MEDIA_TYPE},
        verify=_stored_iff_allowed(env, data),
    )


MEMBER_READ = "401 404 200 200 200"
MEMBER_CREATE = "401 404 201 201 201"
GROUP_ADMIN_DELETE = "401 404 403 204 204"
MANIFEST = {"files": [entry("a.txt", ALPHA)]}
HASHES = {"hashes": [key(ALPHA)]}

DATASET_EXPECTED: dict[tuple[str, str], Spec] = {
    ("datasets.list", "GET"): spec(MEMBER_READ),
    ("datasets.create", "POST"): spec(MEMBER_CREATE, create_dataset),
    ("datasets.get", "GET"): spec(MEMBER_READ, on_scans()),
    ("datasets.update", "PATCH"): spec(MEMBER_READ, on_scans({"description": "CT scans"})),
    ("datasets.delete", "DELETE"): spec(GROUP_ADMIN_DELETE, delete_dataset),
    ("datasets.tags", "GET"): spec(MEMBER_READ, on_scans()),
    ("datasets.tag", "PUT"): spec(MEMBER_READ, on_scans({"version": "v1"}, tag="golden")),
    ("datasets.untag", "DELETE"): spec("401 404 204 204 204", untag),
    ("datasets.grants", "GET"): spec(MEMBER_READ, on_scans()),
    ("datasets.grant", "PUT"): spec(
        "401 404 403 200 200", on_scans({"access": "read"}, grantee="bio")
    ),
    ("datasets.revoke", "DELETE"): spec(GROUP_ADMIN_DELETE, revoke_grant),
    ("versions.plan", "POST"): spec(MEMBER_READ, on_scans(MANIFEST)),
    ("versions.create", "POST"): spec(MEMBER_CREATE, commit_version),
    ("versions.list", "GET"): spec(MEMBER_READ, on_scans()),
    ("versions.get", "GET"): spec(MEMBER_READ, on_scans(ref="golden")),
    ("versions.delete", "DELETE"): spec(GROUP_ADMIN_DELETE, delete_version),
    ("versions.files", "GET"): spec(MEMBER_READ, on_scans(ref="v1")),
    ("versions.file", "GET"): spec(MEMBER_READ, on_scans(query={"path": "a.txt"}, ref="v1")),
    ("versions.verify", "POST"): spec(MEMBER_READ, on_scans(ref="latest")),
    ("versions.diff", "GET"): spec(MEMBER_READ, on_scans(query={"from": "v1"})),
    ("blobs.missing", "POST"): spec(MEMBER_READ, on_scans(HASHES)),
    ("blobs.pack", "POST"): spec(MEMBER_READ, put_pack),
    ("blobs.put", "PUT"): spec(MEMBER_CREATE, put_blob),
    ("blobs.get", "GET"): spec(MEMBER_READ, on_scans(key=key(ALPHA))),
    ("blobs.unpack", "POST"): spec(MEMBER_READ, on_scans(HASHES)),
    ("admin.gc", "POST"): spec("401 403 403 403 200", body({"dry_run": True})),
}
