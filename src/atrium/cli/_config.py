"""Writing the CLI's config file; the SDK reads it (``atrium.sdk.config``)."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from atrium.sdk.config import config_path, read_config


def save_login(url: str, token: str) -> Path:
    """Store the server URL and token; the file is readable by its owner only (0600)."""
    return _write({"url": url, "token": token})


def forget_token() -> None:
    """Drop the stored token but keep the URL, so that the next ``atrium login`` reuses it."""
    stored = read_config()
    if stored.token is None:
        return
    if stored.url is None:
        config_path().unlink(missing_ok=True)
    else:
        _write({"url": stored.url})


def _write(data: dict[str, str]) -> Path:
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    # mkstemp creates the file 0600, so the token is never readable by others, not even
    # briefly; the rename makes the update atomic.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".config-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=2)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
