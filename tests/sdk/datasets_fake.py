"""An in-memory stand-in for the datasets routes of docs/datasets.md, behind httpx.MockTransport.

It implements just enough of the contract for the client's transfer logic to be tested on its
own (and counts requests and bytes, so tests can assert what was sent). The real server is
exercised by the live tests.
"""

from __future__ import annotations

import json
import re
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx
from blake3 import blake3

from atrium.sdk import Client
from atrium.sdk.datasets import pack

BASE = re.compile(r"^/api/v1/groups/(?P<group>[^/]+)/datasets/(?P<name>[^/]+)(?P<rest>/.*)?$")


@dataclass
class FakeDataset:
    description: str | None = None
    versions: list[dict[str, Any]] = field(default_factory=list)
    tags: dict[str, str] = field(default_factory=dict)


@dataclass
class FakeHub:
    blobs: dict[str, bytes] = field(default_factory=dict)
    datasets: dict[tuple[str, str], FakeDataset] = field(default_factory=dict)
    calls: Counter[str] = field(default_factory=Counter)
    uploads: list[tuple[str, int]] = field(default_factory=list)  # (key, size) received
    manifest_parts: set[str] = field(default_factory=set)
    served: int = 0  # blob bytes sent in unpacks and GETs
    fail_puts: int = 0  # answer this many PUTs with 503 first
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def received(self) -> int:
        """Blob bytes received in packs and PUTs, not counting manifest parts."""
        return sum(size for key, size in self.uploads if key not in self.manifest_parts)

    def client(self) -> Client:
        transport = httpx.MockTransport(self.handle)
        return Client(
            http=httpx.Client(base_url="http://fake.test", transport=transport), token="t"
        )

    def handle(self, request: httpx.Request) -> httpx.Response:
        request.read()
        with self.lock:
            return self.route(request)

    def route(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if request.method == "POST" and path.endswith("/datasets") and path.count("/") == 5:
            group = path.split("/")[4]
            name = json.loads(request.content)["name"]
            self.datasets[(group, name)] = FakeDataset()
            return httpx.Response(201, json=self.dataset_json(group, name))
        match = BASE.match(path)
        if match is None or (match["group"], match["name"]) not in self.datasets:
            return error(404, "not_found", "no such dataset")
        ds = self.datasets[(match["group"], match["name"])]
        rest = match["rest"] or ""
        kind = re.sub(r"/[0-9a-f]{64}$", "/{hash}", rest)
        kind = re.sub(r"^/versions/[^/]+", "/versions/{ref}", kind) if kind != "/versions" else kind
        self.calls[f"{request.method} {kind}"] += 1
        handler = getattr(
            self,
            "do_"
            + request.method.lower()
            + kind.replace("/", "_").replace("{", "").replace("}", ""),
            None,
        )
        if handler is None:
            return error(404, "not_found", f"no route {request.method} {kind}")
        return handler(request, match["group"], match["name"], ds, rest)  # type: ignore[no-any-return]

    def dataset_json(self, group: str, name: str) -> dict[str, Any]:
        ds = self.datasets[(group, name)]
        latest = ds.versions[-1]["name"] if ds.versions else None
        return {"name": name, "group": group, "description": ds.description, "created_at": None,
                "created_by": "admin", "latest": latest, "version_count": len(ds.versions),
                "shared_from": None, "access": "owner"}  # fmt: skip

    # ---- routes ----

    def do_get(
        self, request: httpx.Request, group: str, name: str, ds: FakeDataset, rest: str
    ) -> httpx.Response:
        return httpx.Response(200, json=self.dataset_json(group, name))

    def do_post_blobs_missing(self, request: httpx.Request, *_: Any) -> httpx.Response:
        hashes = json.loads(request.content)["hashes"]
        assert len(hashes) <= 10_000
        return httpx.Response(200, json={"missing": [h for h in hashes if h not in self.blobs]})

    def do_post_blobs_pack(self, request: httpx.Request, *_: Any) -> httpx.Response:
        assert request.headers["content-type"] == pack.MEDIA_TYPE
        stored = size = 0
        for digest, data in pack.decode([request.content]):
            if blake3(data).hexdigest() != digest:
                return error(422, "hash_mismatch", "the bytes sent do not match their hash")
            self.blobs[digest] = data
            self.uploads.append((digest, len(data)))
            stored, size = stored + 1, size + len(data)
        return httpx.Response(200, json={"stored": stored, "bytes": size})

    def do_put_blobs_hash(self, request: httpx.Request, *args: Any) -> httpx.Response:
        if self.fail_puts:
            self.fail_puts -= 1
            return error(503, "unavailable", "try again")
        digest = args[-1].rsplit("/", 1)[1]
        if blake3(request.content).hexdigest() != digest:
            return error(400, "bad_request", "hash mismatch")
        self.uploads.append((digest, len(request.content)))
        existed = digest in self.blobs
        self.blobs[digest] = request.content
        return httpx.Response(
            200 if existed else 201, json={"hash": digest, "size": len(request.content)}
        )

    def do_get_blobs_hash(self, request: httpx.Request, *args: Any) -> httpx.Response:
        data = self.blobs[args[-1].rsplit("/", 1)[1]]
        self.served += len(data)
        return httpx.Response(200, content=data)

    def do_post_blobs_unpack(self, request: httpx.Request, *_: Any) -> httpx.Response:
        hashes = json.loads(request.content)["hashes"]
        body = pack.encode((h, self.blobs[h]) for h in hashes)
        self.served += sum(len(self.blobs[h]) for h in hashes)
        return httpx.Response(200, content=body, headers={"content-type": pack.MEDIA_TYPE})

    def do_post_versions(
        self, request: httpx.Request, group: str, name: str, ds: FakeDataset, rest: str
    ) -> httpx.Response:
        body = self.with_files(json.loads(request.content))
        latest = ds.versions[-1]["name"] if ds.versions else None
        if body.get("parent") is not None and body["parent"] != latest:
            return error(409, "conflict", f"latest is {latest}, not {body['parent']}")
        for entry in body["files"]:
            for blob in entry["chunks"] or [entry["hash"]]:
                if blob not in self.blobs:
                    return error(400, "bad_request", f"missing blob {blob}")
        number = len(ds.versions) + 1
        version = {"number": number, "name": f"v{number}", "message": body["message"],
                   "author": "admin", "created_at": "2026-11-27T12:00:00+00:00", "parent": latest,
                   "tags": [], "files": sorted(body["files"], key=lambda e: e["path"]),
                   "summary": {"files": len(body["files"]),
                               "bytes": sum(e["size"] for e in body["files"])}}  # fmt: skip
        ds.versions.append(version)
        return httpx.Response(201, json=public(version))

    def do_get_versions(
        self, request: httpx.Request, group: str, name: str, ds: FakeDataset, rest: str
    ) -> httpx.Response:
        items = [public(v) for v in reversed(ds.versions)]
        return httpx.Response(200, json={"items": items, "next_cursor": None})

    def do_get_versions_ref(
        self, request: httpx.Request, group: str, name: str, ds: FakeDataset, rest: str
    ) -> httpx.Response:
        version = self.resolve(ds, rest.split("/")[2])
        return (
            httpx.Response(200, json=public(version))
            if version
            else error(404, "not_found", "no version")
        )

    def do_get_versions_ref_files(
        self, request: httpx.Request, group: str, name: str, ds: FakeDataset, rest: str
    ) -> httpx.Response:
        version = self.resolve(ds, rest.split("/")[2])
        if version is None:
            return error(404, "not_found", "no version")
        prefix = request.url.params.get("prefix") or ""
        limit = int(request.url.params.get("limit") or 1000)
        start = int(request.url.params.get("cursor") or 0)
        files = [e for e in version["files"] if e["path"].startswith(prefix)]
        page = files[start : start + limit]
        more = start + limit < len(files)
        return httpx.Response(
            200, json={"items": page, "next_cursor": str(start + limit) if more else None}
        )

    def do_post_versions_ref(self, request: httpx.Request, *args: Any) -> httpx.Response:
        assert args[-1] == "/versions/plan"
        files = self.with_files(json.loads(request.content))["files"]
        blobs = {b for e in files for b in e["chunks"] or [e["hash"]]}
        return httpx.Response(200, json={"missing": sorted(blobs - self.blobs.keys())})

    def do_get_versions_ref_file(
        self, request: httpx.Request, group: str, name: str, ds: FakeDataset, rest: str
    ) -> httpx.Response:
        version = self.resolve(ds, rest.split("/")[2])
        path = request.url.params["path"]
        found = [e for e in (version or {}).get("files", []) if e["path"] == path]
        return httpx.Response(200, json=found[0]) if found else error(404, "not_found", "no file")

    def with_files(self, body: dict[str, Any]) -> dict[str, Any]:
        """The body with its manifest inline, read from the uploaded parts if it names them."""
        if body.get("manifest") is not None:
            self.manifest_parts.update(body["manifest"])
            parts = (json.loads(self.blobs[key]) for key in body.pop("manifest"))
            body["files"] = [entry for part in parts for entry in part]
        return body

    def resolve(self, ds: FakeDataset, ref: str) -> dict[str, Any] | None:
        ref = ds.tags.get(ref, ref)
        if ref == "latest":
            return ds.versions[-1] if ds.versions else None
        return next((v for v in ds.versions if v["name"] == ref), None)


def public(version: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in version.items() if k != "files"}


def error(status: int, code: str, message: str) -> httpx.Response:
    return httpx.Response(
        status, json={"error": {"code": code, "message": message, "details": None}}
    )
