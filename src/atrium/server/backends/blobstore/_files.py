"""Filesystem helpers for blob stores: temp files, read-only installs, clone-or-link-or-copy."""

from __future__ import annotations

import errno
import fcntl
import os
import secrets
import shutil
from pathlib import Path

READ_ONLY = 0o444
#: ioctl(FICLONE): a copy-on-write clone (btrfs, XFS); ext4 answers EOPNOTSUPP / EXDEV.
_FICLONE = 0x40049409
#: errnos that mean "this filesystem pair cannot clone / link", not a real failure.
_CANNOT = {errno.EXDEV, errno.EOPNOTSUPP, errno.ENOTTY, errno.EINVAL, errno.EPERM, errno.EMLINK}


def sibling_tmp(dest: Path) -> Path:
    """An unused temp name next to ``dest``: same filesystem, so ``os.replace`` is atomic."""
    return dest.with_name(f".{dest.name}.{secrets.token_hex(8)}.tmp")


def install(tmp: Path, dest: Path) -> None:
    """Make ``tmp`` read-only and atomically move it to ``dest``; remove ``tmp`` on failure."""
    try:
        os.chmod(tmp, READ_ONLY)
        os.replace(tmp, dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_read_only(dest: Path, data: bytes) -> None:
    """Atomically put a read-only file holding ``data`` at ``dest`` (replacing it)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = sibling_tmp(dest)
    try:
        tmp.write_bytes(data)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    install(tmp, dest)


def try_reflink(src: Path, dest: Path) -> bool:
    """Clone ``src`` to the new file ``dest`` copy-on-write; False if unsupported here."""
    with open(src, "rb") as fsrc, open(dest, "wb") as fdst:
        try:
            fcntl.ioctl(fdst.fileno(), _FICLONE, fsrc.fileno())
        except OSError as exc:
            if exc.errno in _CANNOT:
                return False
            raise
    return True


def try_link(src: Path, dest: Path) -> bool:
    """Hard-link ``src`` as ``dest`` (replaced if present); False if not possible here."""
    try:
        os.link(src, dest)
    except OSError as exc:
        if exc.errno in _CANNOT:
            return False
        raise
    return True


def link_new(src: str, dest: Path) -> bool:
    """Hard-link ``src`` at ``dest`` if ``dest`` does not exist (creating its parent).

    False when ``dest`` exists or the filesystem cannot link here (other device, link limit).
    """
    for _ in range(2):
        try:
            os.link(src, dest)
            return True
        except FileNotFoundError:
            if not os.path.exists(src):
                raise
            dest.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            if exc.errno == errno.EEXIST or exc.errno in _CANNOT:
                return False
            raise
    return False


def copy_file(src: Path, dest: Path) -> None:
    shutil.copyfile(src, dest)
