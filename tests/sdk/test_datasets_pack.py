"""The pack format on the client: encoding into pieces without copying large blobs, decoding."""

from __future__ import annotations

import os

import pytest
from blake3 import blake3

from atrium.sdk.datasets import pack
from atrium.sdk.datasets.errors import LocalDataError


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


@pytest.mark.parametrize("piece", [1, 7, 40, 41, 4096])
def test_decode_reassembles_records_from_any_split(piece: int) -> None:
    datas = [b"", os.urandom(100), b"", os.urandom(5000), os.urandom(1)]
    records = [(blake3(d).hexdigest(), d) for d in datas]
    body = pack.encode(records)
    split = [body[i : i + piece] for i in range(0, len(body), piece)]
    assert list(pack.decode(split)) == records
    with pytest.raises(LocalDataError, match="ended inside a record"):
        list(pack.decode([body[:-1]]))
    with pytest.raises(LocalDataError, match="ended inside a record"):
        list(pack.decode([pack.encode(records[1:2])[: pack.HEADER]]))  # no bytes after a header
