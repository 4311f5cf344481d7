"""Experiment tracking rules: run states, key and value limits, metric values on the wire."""

from __future__ import annotations

import enum
import math
import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass

from atrium.server.domain.errors import InvalidInput

# MLflow's key alphabet, so that runs logged through its client fit unchanged.
KEY_RE = re.compile(r"^[A-Za-z0-9_\-. :/]{1,250}$")
MAX_KEY = 250
MAX_PARAM_VALUE = 6000
MAX_TAG_VALUE = 8000
MAX_ARTIFACT_PATH = 1024
_CONTROL = re.compile(r"[\x00-\x1f\x7f\\]")


class RunStatus(enum.StrEnum):
    RUNNING = "running"
    FINISHED = "finished"
    FAILED = "failed"
    KILLED = "killed"

    @property
    def terminal(self) -> bool:
        return self is not RunStatus.RUNNING


class SourceType(enum.StrEnum):
    JOB = "job"
    NOTEBOOK = "notebook"
    SCRIPT = "script"
    OTHER = "other"


def check_key(kind: str, key: str) -> str:
    """Keys are names, not paths: ``a/b`` is fine, ``../a``, ``/a`` or ``a//b`` are not."""
    if not KEY_RE.fullmatch(key):
        raise InvalidInput(
            f"invalid {kind} key {key[:100]!r}: use 1-{MAX_KEY} letters, digits, '_', '-', '.', "
            "' ', ':' or '/'",
            {"field": kind, "key": key[:100]},
        )
    normal = posixpath.normpath(key)
    if normal != key or normal == "." or normal.startswith(("..", "/")):
        raise InvalidInput(
            f"invalid {kind} key {key!r}: no leading '/', no '.' or '..' parts, no '//'",
            {"field": kind, "key": key},
        )
    return key


def check_value(kind: str, key: str, value: str, limit: int) -> str:
    if len(value) > limit:
        raise InvalidInput(
            f"{kind} {key!r} is {len(value)} characters long; the limit is {limit}",
            {"field": kind, "key": key},
        )
    return value


def check_artifact_path(path: str) -> str:
    """A relative POSIX path inside the run: no '..', no empty or '.' parts, no backslashes."""
    parts = path.split("/")
    if (
        not path
        or len(path) > MAX_ARTIFACT_PATH
        or _CONTROL.search(path)
        or any(part in ("", ".", "..") for part in parts)
    ):
        raise InvalidInput(
            f"invalid artifact path {path[:200]!r}: use a relative path such as "
            f"'model/model.pkl' (at most {MAX_ARTIFACT_PATH} characters, no '..' or '//')",
            {"field": "path"},
        )
    return path


def stored_value(value: float) -> float | None:
    """NaN is stored as NULL on both dialects (SQLite cannot store a NaN at all); so a NaN
    compares false with everything in a filter, as it does in IEEE arithmetic."""
    return None if math.isnan(value) else value


def loaded_value(value: float | None) -> float:
    return math.nan if value is None else value


@dataclass(frozen=True)
class Selection:
    """Which params, metrics and tags (None: all) and whether the inputs a page of runs
    carries: a table showing three columns of 1,000 runs needs three keys, not all of them."""

    params: frozenset[str] | None = None
    metrics: frozenset[str] | None = None
    tags: frozenset[str] | None = None
    inputs: bool = True

    @classmethod
    def of(cls, fields: Sequence[str] | None) -> Selection:
        """From ``params``, ``metrics.acc``, ``inputs``, ... (None selects everything)."""
        if fields is None:
            return cls()
        keys: dict[str, set[str]] = {"params": set(), "metrics": set(), "tags": set()}
        whole = set()
        for field in fields:
            kind, _, key = field.partition(".")
            if kind in keys and key:
                keys[kind].add(key)
            else:  # a whole kind: params, metrics, tags or inputs
                whole.add(kind)

        def pick(kind: str) -> frozenset[str] | None:
            return None if kind in whole else frozenset(keys[kind])

        return cls(pick("params"), pick("metrics"), pick("tags"), "inputs" in whole)
