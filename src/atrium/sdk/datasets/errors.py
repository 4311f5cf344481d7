"""Errors found on the client side, before or after talking to the server."""

from __future__ import annotations

from atrium.sdk.errors import AtriumError


class LocalDataError(AtriumError):
    """A problem with the local files: an unsafe path, a file changed while it was read, bytes
    that do not match their hash, a directory that was never pushed or pulled.

    ``status`` is 0 (no HTTP response is involved); ``code`` names the problem, e.g.
    ``"unsafe_path"``, ``"path_collision"``, ``"file_changed"``, ``"hash_mismatch"``.
    """

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message, status=0, code=code)
