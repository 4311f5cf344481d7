"""The pack format on the client: encoding into pieces without copying large blobs, decoding."""

from __future__ import annotations

import os

from blake3 import blake3

from atrium.sdk.datasets import pack


def test_pieces_join_small_records_and_pass_large_ones_through() -> None:
    small = [os.urandom(4096) for _ in range(600)]  # ~2.4 MiB: more than two pieces
    big = os.urandom(pack.PIECE + 1)
    records = [(blake3(d).hexdigest(), d) for d in [*small[:300], big, *small[300:]]]
    pieces = pack.pieces(records)
    assert any(piece is big for piece in pieces)  # sent as it is, not copied into a piece
    assert all(
        len(piece) <= pack.PIECE + 4096 + pack.HEADER for piece in pieces if piece is not big
    )
    body = b"".join(pieces)
    expected = b"".join(pack.record_header(k, len(d)) + d for k, d in records)
    assert body == expected
    split = [body[i : i + 65536] for i in range(0, len(body), 65536)]
    assert list(pack.decode(split)) == records
