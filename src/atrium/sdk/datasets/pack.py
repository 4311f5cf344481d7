"""The pack format (``application/x-atrium-pack``): many small blobs in one request body.

A sequence of records, each 32 raw bytes of the blob's BLAKE3 hash, 8 bytes of big-endian
unsigned size, then the bytes. No header, no trailer.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from atrium.sdk.datasets.errors import LocalDataError

MEDIA_TYPE = "application/x-atrium-pack"
HEADER = 40  # 32 hash bytes + 8 size bytes
PIECE = 1024 * 1024


def record_header(digest: str, size: int) -> bytes:
    return bytes.fromhex(digest) + size.to_bytes(8, "big")


def encode(records: Iterable[tuple[str, bytes]]) -> bytes:
    """One pack body holding ``(hash, bytes)`` records, in order."""
    return b"".join(pieces(records))


def pieces(records: Iterable[tuple[str, bytes]]) -> list[bytes]:
    """A pack body as pieces to send one after the other, without copying large blobs:
    small records are joined into pieces of about :data:`PIECE` bytes (one write each)."""
    out: list[bytes] = []
    pending: list[bytes] = []
    size = 0
    for digest, data in records:
        pending.append(record_header(digest, len(data)))
        if len(data) >= PIECE:
            out += [b"".join(pending), data]
            pending, size = [], 0
            continue
        pending.append(data)
        size += HEADER + len(data)
        if size >= PIECE:
            out.append(b"".join(pending))
            pending, size = [], 0
    if pending:
        out.append(b"".join(pending))
    return out


def decode(chunks: Iterable[bytes]) -> Iterator[tuple[str, bytes]]:
    """The ``(hash, bytes)`` records of a pack arriving as arbitrary pieces (a response stream).

    Each record's bytes are copied once, when its last piece arrives (a 1 MiB blob spans ~16
    pieces of a response). Raises LocalDataError if the stream ends inside a record.
    """
    parts: list[memoryview] = []  # what has arrived of the header or the body being read
    have, need = 0, HEADER
    digest: str | None = None  # set while reading a body
    for chunk in chunks:
        view, pos = memoryview(chunk), 0
        while pos < len(view) or (digest is not None and need == 0):
            take = min(need - have, len(view) - pos)
            parts.append(view[pos : pos + take])
            have, pos = have + take, pos + take
            if have < need:
                break
            data = b"".join(parts)
            parts, have = [], 0
            if digest is None:
                digest, need = data[:32].hex(), int.from_bytes(data[32:HEADER], "big")
                continue
            yield digest, data
            digest, need = None, HEADER
    if have or digest is not None:
        raise LocalDataError(
            f"pack stream ended inside a record ({have} stray bytes)", code="truncated_pack"
        )
