"""Keep a long-running server's memory close to what it uses.

glibc raises its mmap threshold each time a large mmapped block is freed (up to 32 MiB), so
after the first login argon2's 19 MiB work area is carved from the heap instead, and every
thread's arena keeps one: four logins on four threads left about 95 MiB resident for good.
A fixed threshold turns the dynamic rule off, so blocks this large are always mapped and
given back to the system when freed.
"""

from __future__ import annotations

import ctypes
import ctypes.util

M_MMAP_THRESHOLD = -3  # mallopt parameter number in glibc's malloc.h
MMAP_THRESHOLD = 4 * 1024 * 1024


def tune_allocator() -> bool:
    """Fix glibc's mmap threshold; False (and nothing done) on other C libraries."""
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        mallopt = ctypes.CDLL(name).mallopt
    except (OSError, AttributeError):
        return False
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD))
