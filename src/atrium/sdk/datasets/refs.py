"""Dataset names and version references: ``group/name``, ``group/name@v3``, ``group/name:tag``."""

from __future__ import annotations

import re
from dataclasses import dataclass

from atrium.sdk.resources._base import seg

_SPEC = re.compile(r"^(?P<group>[^/@:\s]+)/(?P<name>[^/@:\s]+)(?:(?P<sep>[@:])(?P<ref>[^/\s]+))?$")


@dataclass(frozen=True)
class DatasetRef:
    """A dataset and, optionally, one of its versions (``ref`` is ``None`` for "latest")."""

    group: str
    name: str
    ref: str | None = None

    @property
    def version(self) -> str:
        """The ref to send to the server: ``v3``, a tag, or ``latest``."""
        return self.ref or "latest"

    @property
    def base(self) -> str:
        """The dataset's API path, below ``/api/v1``."""
        return f"/groups/{seg(self.group)}/datasets/{seg(self.name)}"

    def __str__(self) -> str:
        return f"{self.group}/{self.name}" + (f"@{self.ref}" if self.ref else "")


def parse_ref(spec: str, *, allow_version: bool = True) -> DatasetRef:
    """Parse ``group/name``, ``group/name@v3`` (or ``@3``) and ``group/name:tag``."""
    match = _SPEC.match(spec.strip())
    if match is None:
        raise ValueError(f"{spec!r} is not a dataset: expected GROUP/NAME[@vN|:TAG]")
    ref = match.group("ref")
    if ref is not None and not allow_version:
        raise ValueError(f"{spec!r}: expected GROUP/NAME without a version")
    if ref is not None and match.group("sep") == "@" and ref.isdigit():
        ref = f"v{ref}"
    return DatasetRef(match.group("group"), match.group("name"), ref)
