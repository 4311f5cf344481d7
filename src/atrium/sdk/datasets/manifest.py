"""A push's manifest as content-addressed blobs: uploaded once, then named by plan and commit.

The entries are JSON arrays of at most :data:`PART_BYTES` each (a blob is at most 64 MiB, and
a million files take ~110 MB). Pushing unchanged data produces the same parts, which the
server then still has: nothing of the manifest travels again but their keys.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from atrium.sdk.datasets import pack
from atrium.sdk.datasets.hashing import hash_bytes
from atrium.sdk.datasets.models import FileEntry
from atrium.sdk.datasets.wire import Wire

PART_BYTES = 8 * 1024 * 1024
_encode = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def parts(entries: Sequence[FileEntry]) -> list[tuple[str, bytes]]:
    """(key, bytes) of the manifest parts holding ``entries``, in order.

    Encodes the whole list in one call (per-entry encoding costs ~10x more), halving a part
    until it fits: parts are equal in entries, not bytes, so skewed paths may need it.
    """
    data = _encode([e.to_api() for e in entries]).encode()
    if len(data) <= PART_BYTES or len(entries) <= 1:
        return [(hash_bytes(data), data)]
    count = -(-len(data) // PART_BYTES)
    step = -(-len(entries) // count)
    return [part for i in range(0, len(entries), step) for part in parts(entries[i : i + step])]


def send(wire: Wire, base: str, manifest: list[tuple[str, bytes]]) -> list[str]:
    """Upload the parts the server lacks; return all the parts' keys."""
    keys = [key for key, _ in manifest]
    lacking = set(wire.json("POST", f"{base}/blobs/missing", json={"hashes": keys})["missing"])
    for key, data in manifest:
        if key in lacking:
            _send_part(wire, base, pack.encode([(key, data)]))
    return keys


def _send_part(wire: Wire, base: str, body: bytes) -> None:
    wire.send("POST", f"{base}/blobs/pack", lambda: body, len(body), pack.MEDIA_TYPE)
