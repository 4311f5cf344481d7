"""Where the SDK finds the server URL and token when they are not passed explicitly.

Order: explicit argument, then ``ATRIUM_URL`` / ``ATRIUM_TOKEN``, then the file written by
``atrium login`` (``<user config dir>/atrium/config.json``, keys ``url`` and ``token``).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

DEFAULT_URL = "http://127.0.0.1:8420"  # where `atrium up` listens by default
URL_ENV = "ATRIUM_URL"
TOKEN_ENV = "ATRIUM_TOKEN"


@dataclass(frozen=True)
class StoredConfig:
    """The content of the CLI's config file; either key may be missing."""

    url: str | None = None
    token: str | None = None


def config_path() -> Path:
    """Path of the config file (computed on each call so that tests can move it)."""
    return Path(platformdirs.user_config_dir("atrium")) / "config.json"


def read_config(path: Path | None = None) -> StoredConfig:
    """Read the config file; a missing or unreadable file is an empty config, not an error."""
    try:
        data = json.loads((path or config_path()).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return StoredConfig()
    if not isinstance(data, dict):
        return StoredConfig()
    return StoredConfig(url=_str_or_none(data.get("url")), token=_str_or_none(data.get("token")))


def resolve(url: str | None = None, token: str | None = None) -> tuple[str, str | None]:
    """The server URL and token to use.

    URL: argument, env, config file, then the local default. Token: argument, env, then the
    config file -- but the stored token only when the URL is the stored one, so that a token
    issued by one server is never sent to another.
    """
    stored = read_config()
    resolved_url = _normalize(url or os.environ.get(URL_ENV) or stored.url or DEFAULT_URL)
    resolved_token = token or os.environ.get(TOKEN_ENV)
    if resolved_token is None and stored.url is not None and _normalize(stored.url) == resolved_url:
        resolved_token = stored.token
    return resolved_url, resolved_token


def _normalize(url: str) -> str:
    return url.rstrip("/")


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
