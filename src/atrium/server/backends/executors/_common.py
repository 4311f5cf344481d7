"""What both executors do the same way: handles as tagged JSON lists, logs as byte ranges."""

from __future__ import annotations

import json
from typing import Any

from atrium.server.backends.executors.base import UnknownHandle


def encode_handle(tag: str, *fields: str | int) -> str:
    return json.dumps([tag, *fields], separators=(",", ":"))


def decode_handle(handle: str, tag: str, count: int) -> list[Any]:
    """The ``count`` fields of a handle that :func:`encode_handle` made with ``tag``."""
    try:
        fields = json.loads(handle)
    except ValueError:
        fields = None
    if not isinstance(fields, list) or len(fields) != count + 1 or fields[0] != tag:
        raise UnknownHandle(f"not a {tag.split('/')[0]} executor handle: {handle[:100]!r}")
    return fields[1:]


def read_range(path: str, offset: int, limit: int) -> bytes:
    """Up to ``limit`` bytes of the file from ``offset``; nothing if it does not exist yet."""
    if offset < 0 or limit < 0:
        raise ValueError("offset and limit must not be negative")
    try:
        with open(path, "rb") as file:
            file.seek(offset)
            return file.read(limit)
    except FileNotFoundError:
        return b""
