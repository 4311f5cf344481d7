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

    Raises LocalDataError if the stream ends inside a record.
    """
    buffer = bytearray()
    for chunk in chunks:
        buffer += chunk
        pos = 0
        view = memoryview(buffer)  # slices of it copy nothing; each record is copied once
        try:
            while len(buffer) - pos >= HEADER:
                size = int.from_bytes(view[pos + 32 : pos + HEADER], "big")
                end = pos + HEADER + size
                if len(buffer) < end:
                    break
                yield view[pos : pos + 32].hex(), view[pos + HEADER : end].tobytes()
                pos = end
        finally:
            view.release()
        del buffer[:pos]
    if buffer:
        raise LocalDataError(
            f"pack stream ended inside a record ({len(buffer)} stray bytes)", code="truncated_pack"
        )
