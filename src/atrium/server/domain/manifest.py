"""Manifest rules: safe relative paths, one entry per normalised path, consistent chunks."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from atrium.server.domain.errors import InvalidInput

CHUNK_SIZE = 64 * 2**20
# PostgreSQL cannot index keys much over 2.7 kB; 1 KiB paths leave room for any UTF-8 path.
MAX_PATH_BYTES = 1024
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# Plainly safe: ASCII (so NFC), segments of letters, digits, '_', '-' and '.' that do not start
# with '.' (so never empty, '.' or '..'), no ':', '\\' or control character. Most paths are, and
# skip the rules below (a 20,000-file manifest's paths are checked in a third of the time).
_PLAIN = re.compile(r"[\w-][\w.-]*(?:/[\w-][\w.-]*)*", re.ASCII).fullmatch


class Entry(Protocol):
    path: str
    size: int
    hash: str
    mode: int
    chunks: list[str] | None


@dataclass(frozen=True)
class Summary:
    files: int
    bytes: int
    added: int
    removed: int
    changed: int


def check_path(path: str) -> str:
    """Return the path if it is a safe relative POSIX path; raise naming the problem otherwise."""
    if len(path) <= MAX_PATH_BYTES and _PLAIN(path):
        return path
    problem = None
    if _CONTROL.search(path):
        problem = "contains NUL or control characters"
    elif path.startswith("/") or re.match(r"^[A-Za-z]:", path):
        problem = "is absolute"
    elif "\\" in path:
        problem = "contains a backslash"
    elif any(part in ("", ".", "..") for part in path.split("/")):
        problem = "has an empty, '.' or '..' segment"
    elif len(path.encode()) > MAX_PATH_BYTES:
        problem = f"is longer than {MAX_PATH_BYTES} bytes"
    elif unicodedata.normalize("NFC", path) != path:
        problem = "is not NFC-normalised"
    if problem:
        raise InvalidInput(f"path {path!r} {problem}", {"path": path})
    return path


def check_entries(entries: Sequence[Entry]) -> None:
    seen: set[str] = set()
    for entry in entries:
        check_path(entry.path)
        if entry.path in seen:
            raise InvalidInput(f"path {entry.path!r} appears twice", {"path": entry.path})
        seen.add(entry.path)
        _check_chunks(entry)


def _check_chunks(entry: Entry) -> None:
    if entry.size > CHUNK_SIZE:
        expected = -(-entry.size // CHUNK_SIZE)
        if entry.chunks is None or len(entry.chunks) != expected:
            raise InvalidInput(
                f"{entry.path!r}: files over {CHUNK_SIZE} bytes need {expected} chunk hashes",
                {"path": entry.path},
            )
    elif entry.chunks is not None:
        raise InvalidInput(f"{entry.path!r}: only files over 64 MiB are chunked")


def blob_sizes(entries: Iterable[Entry]) -> dict[str, int]:
    """Every blob the entries reference, with its size (chunks are CHUNK_SIZE but the last)."""
    blobs: dict[str, int] = {}
    for entry in entries:
        if entry.chunks is None:
            blobs[entry.hash] = entry.size
            continue
        for i, chunk in enumerate(entry.chunks):
            blobs[chunk] = min(CHUNK_SIZE, entry.size - i * CHUNK_SIZE)
    return blobs


def summarize(new: dict[str, tuple[str, int]], old: dict[str, tuple[str, int]] | None) -> Summary:
    """new/old map path -> (hash, size)."""
    base = old or {}
    added = sum(1 for p in new if p not in base)
    removed = sum(1 for p in base if p not in new)
    changed = sum(1 for p, v in new.items() if p in base and base[p][0] != v[0])
    total = sum(size for _, size in new.values())
    return Summary(len(new), total, added, removed, changed)


def normalise_mode(mode: int) -> int:
    """Only the executable bit survives: permissions are the reader's business."""
    return 0o755 if mode & 0o111 else 0o644
