"""Reading one file of a version as a stream, blob after blob, verified at the end."""

from __future__ import annotations

import io
from collections.abc import Generator
from contextlib import ExitStack

from blake3 import blake3

from atrium.sdk.datasets.errors import LocalDataError
from atrium.sdk.datasets.models import FileEntry
from atrium.sdk.datasets.wire import Wire

PIECE = 1024 * 1024


class BlobReader(io.RawIOBase):
    """The bytes of ``entry``, fetched lazily with one ``GET`` per blob (chunk).

    Reaching the end checks the size and the BLAKE3 of the whole file and raises
    :class:`LocalDataError` (``hash_mismatch``) if either is wrong.
    """

    def __init__(self, wire: Wire, base: str, entry: FileEntry) -> None:
        super().__init__()
        self.entry = entry
        self._wire = wire
        self._base = base
        self._stack = ExitStack()
        self._pieces = self._stream()
        self._pending = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        while not self._pending:
            piece = next(self._pieces, None)
            if piece is None:
                return 0
            self._pending = memoryview(piece)
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size

    def close(self) -> None:
        if not self.closed:
            self._pieces.close()
            self._stack.close()
        super().close()

    def _stream(self) -> Generator[bytes, None, None]:
        hasher, size = blake3(), 0
        for digest in self.entry.blobs:
            path = f"{self._base}/blobs/{digest}"
            response = self._stack.enter_context(self._wire.stream("GET", path))
            for piece in response.iter_bytes(PIECE):
                hasher.update(piece)
                size += len(piece)
                yield piece
            self._stack.close()
        if size != self.entry.size or hasher.hexdigest() != self.entry.hash:
            raise LocalDataError(
                f"{self.entry.path}: downloaded bytes do not match their hash", code="hash_mismatch"
            )


def open_entry(wire: Wire, base: str, entry: FileEntry) -> io.BufferedReader:
    return io.BufferedReader(BlobReader(wire, base, entry), buffer_size=PIECE)
