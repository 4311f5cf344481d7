"""Walking a dataset directory: the files it holds, under the manifest's path rules.

The walk is iterative (``os.scandir``), one ``stat`` per file. It refuses, before anything is
uploaded, what a manifest cannot hold faithfully: symlinks leading outside the directory,
names with control characters or bytes that are not UTF-8, and two paths that become equal
once normalised to NFC. The ``.atrium/`` folder at the top holds Atrium's own state and is
skipped.
"""

from __future__ import annotations

import os
import re
import stat
import unicodedata
from collections import Counter
from dataclasses import dataclass

from atrium.sdk.datasets.errors import LocalDataError

META_DIR = ".atrium"
MAX_PATH_BYTES = 1024
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(slots=True)
class LocalFile:
    """A regular file found by :func:`scan`; ``path`` is its manifest path."""

    path: str
    abspath: str  # where it was found (a symlink is left as it is: reading follows it)
    size: int
    mtime_ns: int
    inode: int
    mode: int


def file_mode(st_mode: int) -> int:
    """The manifest mode: only the executable bit is kept."""
    return 0o755 if st_mode & 0o111 else 0o644


class _Walk:
    def __init__(self, root: str) -> None:
        self.root = os.path.abspath(root)
        self.real_root = os.path.realpath(self.root)
        self.files: list[LocalFile] = []
        self.renamed = False  # a name was not NFC: collisions are possible
        # (manifest prefix, path on disk, real path, real paths of the folders above it)
        self.open_dirs: list[tuple[str, str, str, frozenset[str]]] = [
            ("", self.root, self.real_root, frozenset([self.real_root]))
        ]

    def run(self) -> list[LocalFile]:
        if not os.path.isdir(self.root):
            raise LocalDataError(f"{self.root} is not a directory", code="not_a_directory")
        while self.open_dirs:
            self.scan_dir(*self.open_dirs.pop())
        if self.renamed:
            _check_collisions(self.files)
        self.files.sort(key=lambda f: f.path)
        return self.files

    def scan_dir(self, prefix: str, directory: str, real: str, chain: frozenset[str]) -> None:
        """One folder. Regular files with short ASCII names (nearly all) take the fast path."""
        with os.scandir(directory) as listing:
            entries = [e for e in listing if prefix or e.name != META_DIR]
        names = [e.name for e in entries]
        joined = "/".join(names)
        plain = (
            joined.isascii()
            and not _CONTROL.search(joined)
            and len(prefix) + max(map(len, names), default=0) <= MAX_PATH_BYTES // 4
        )
        append = self.files.append
        for entry in entries:
            if plain and entry.is_file(follow_symlinks=False):
                st = entry.stat(follow_symlinks=False)
                mode = 0o755 if st.st_mode & 0o111 else 0o644
                path = prefix + entry.name
                append(LocalFile(path, entry.path, st.st_size, st.st_mtime_ns, st.st_ino, mode))
            else:
                self.visit(prefix, entry, real, chain)

    def visit(self, prefix: str, entry: os.DirEntry[str], real: str, chain: frozenset[str]) -> None:
        rel = prefix + self.clean_name(prefix, entry.name)
        if entry.is_dir(follow_symlinks=False):
            child = os.path.join(real, entry.name)
            self.open_dirs.append((rel + "/", entry.path, child, chain | {child}))
        elif entry.is_file(follow_symlinks=False):
            self.add(rel, entry.path, entry.stat(follow_symlinks=False), entry.inode())
        elif entry.is_symlink():
            self.follow(rel, entry.path, chain)
        else:
            raise LocalDataError(f"{rel}: not a regular file or directory", code="unsupported_file")

    def follow(self, rel: str, path: str, chain: frozenset[str]) -> None:
        """A symlink is taken for what it points to, if that lies inside the directory."""
        target = os.path.realpath(path)
        if os.path.commonpath([target, self.real_root]) != self.real_root:
            raise LocalDataError(
                f"{rel}: symlink points outside the directory (to {target})", code="unsafe_symlink"
            )
        try:
            st = os.stat(target)
        except OSError:
            raise LocalDataError(f"{rel}: broken symlink", code="broken_symlink") from None
        if stat.S_ISDIR(st.st_mode):
            if target in chain:
                raise LocalDataError(f"{rel}: symlink loop (to {target})", code="symlink_loop")
            self.open_dirs.append((rel + "/", target, target, chain | {target}))
        elif stat.S_ISREG(st.st_mode):
            self.add(rel, path, st, st.st_ino)
        else:
            raise LocalDataError(f"{rel}: not a regular file or directory", code="unsupported_file")

    def add(self, rel: str, path: str, st: os.stat_result, inode: int) -> None:
        mode = file_mode(st.st_mode)
        self.files.append(LocalFile(rel, path, st.st_size, st.st_mtime_ns, inode, mode))

    def clean_name(self, prefix: str, name: str) -> str:
        if _CONTROL.search(name):
            raise LocalDataError(
                f"{prefix}{name!r}: control characters are not allowed in paths", code="unsafe_path"
            )
        if not name.isascii():
            name = self.nfc(prefix, name)
        if len(prefix) + len(name) > MAX_PATH_BYTES // 4 and _too_long(prefix + name):
            raise LocalDataError(f"{prefix}{name}: path longer than 1024 bytes", code="unsafe_path")
        return name

    def nfc(self, prefix: str, name: str) -> str:
        try:
            name.encode("utf-8")
        except UnicodeEncodeError:
            shown = name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
            raise LocalDataError(
                f"{prefix}{shown}: file name is not valid UTF-8", code="unsafe_path"
            ) from None
        normal = unicodedata.normalize("NFC", name)
        self.renamed = self.renamed or normal != name
        return normal


def _too_long(path: str) -> bool:
    return len(path.encode("utf-8")) > MAX_PATH_BYTES


def _check_collisions(files: list[LocalFile]) -> None:
    """After NFC normalisation: no two equal paths, and no file where another has a folder."""
    counts = Counter(f.path for f in files)
    clashes = sorted(path for path, n in counts.items() if n > 1)
    folders = {path.rsplit("/", i)[0] for path in counts for i in range(1, path.count("/") + 1)}
    clashes += sorted(folders.intersection(counts))
    if clashes:
        raise LocalDataError(
            f"{clashes[0]}: two files have this path once normalised to NFC "
            f"({len(clashes)} such path(s)); rename one of them",
            code="path_collision",
        )


def check_manifest_path(path: str) -> None:
    """Refuse a path from a manifest that could write outside the directory or into .atrium/."""
    parts = path.split("/")
    if (
        not path
        or _CONTROL.search(path)
        or parts[0] == META_DIR
        or any(part in ("", ".", "..") for part in parts)
    ):
        raise LocalDataError(f"{path!r}: unsafe path in the version's manifest", code="unsafe_path")


def scan(root: str | os.PathLike[str]) -> list[LocalFile]:
    """Every regular file under ``root``, sorted by manifest path (see the module docstring)."""
    return _Walk(os.fspath(root)).run()
