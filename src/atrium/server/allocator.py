"""Keep a long-running server's memory close to what it uses.

glibc raises its mmap threshold each time a large mmapped block is freed (up to 32 MiB), so
after the first login argon2's 19 MiB work area is carved from the heap instead, and every
thread's arena keeps one: four logins on four threads left about 95 MiB resident for good.
A fixed threshold turns the dynamic rule off, so blocks this large are always mapped and
given back to the system when freed.

The garbage collector is the other half: a full collection walks every tracked object, and
after start-up there are ~200,000 of them (modules, routes, schemas) that live as long as the
process. Each full pass took ~120 ms, charged to whichever request triggered it.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc

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


def freeze_startup_heap() -> int:
    """Move everything alive now out of the collector's sight; returns how many objects moved.

    Called once the app is built: later collections only walk what requests allocate.
    """
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
