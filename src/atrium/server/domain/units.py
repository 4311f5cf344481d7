"""Parsing of Kubernetes-style quantities ("16Gi", "512Mi", "1G")."""

from __future__ import annotations

import re

from atrium.server.domain.errors import InvalidInput

_SUFFIX = {
    "": 1,
    "k": 10**3,
    "K": 10**3,
    "M": 10**6,
    "G": 10**9,
    "T": 10**12,
    "P": 10**15,
    "Ki": 2**10,
    "Mi": 2**20,
    "Gi": 2**30,
    "Ti": 2**40,
    "Pi": 2**50,
}
_QTY = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMGTP]i?|k)?B?\s*$")


MAX_BYTES = 2**62


def parse_bytes(value: int | float | str, field: str = "memory") -> int:
    if isinstance(value, bool):
        raise InvalidInput(f"{field} must be a number of bytes or a string like '16Gi'")
    if isinstance(value, int | float):
        if value < 0:
            raise InvalidInput(f"{field} must not be negative", {"field": field})
        return _bounded(int(value), field)
    match = _QTY.match(value)
    if not match:
        raise InvalidInput(
            f"{field} {value!r} is not a quantity: use bytes or a suffix like 512Mi, 16Gi, 1G",
            {"field": field},
        )
    number, suffix = match.groups()
    return _bounded(int(float(number) * _SUFFIX[suffix or ""]), field)


def _bounded(size: int, field: str) -> int:
    # Byte columns are signed 64-bit on both dialects; 4 EiB is beyond any real quota.
    if size > MAX_BYTES:
        raise InvalidInput(f"{field} must be at most 4Ei ({MAX_BYTES} bytes)", {"field": field})
    return size
