"""Pushing small datasets through the raw REST API (the SDK has its own tests)."""

from __future__ import annotations

import struct

import blake3
import httpx
from fastapi.testclient import TestClient

PACK = "application/x-atrium-pack"


def key(data: bytes) -> str:
    return blake3.blake3(data).hexdigest()


def pack(blobs: dict[str, bytes]) -> bytes:
    return b"".join(struct.pack(">32sQ", bytes.fromhex(k), len(v)) + v for k, v in blobs.items())


def unpack(body: bytes) -> dict[str, bytes]:
    out, offset = {}, 0
    while offset < len(body):
        raw, size = struct.unpack_from(">32sQ", body, offset)
        offset += 40
        out[raw.hex()] = body[offset : offset + size]
        offset += size
    return out


def entries(
    files: dict[str, bytes], modes: dict[str, int] | None = None
) -> list[dict[str, object]]:
    modes = modes or {}
    return [
        {"path": p, "size": len(d), "hash": key(d), "mode": modes.get(p, 0o644)}
        for p, d in files.items()
    ]


def push(
    client: TestClient,
    ref: str,
    files: dict[str, bytes],
    message: str = "",
    modes: dict[str, int] | None = None,
    **extra: object,
) -> httpx.Response:
    """Upload the blobs and commit; returns the commit response (asserting nothing)."""
    base = f"/api/v1/groups/{ref.split('/')[0]}/datasets/{ref.split('/')[1]}"
    blobs = {key(d): d for d in files.values()}
    r = client.post(f"{base}/blobs/pack", content=pack(blobs), headers={"Content-Type": PACK})
    assert r.status_code == 200, r.text
    body = {"message": message, "files": entries(files, modes), **extra}
    response: httpx.Response = client.post(f"{base}/versions", json=body)
    return response
