"""The local cache of downloaded versions, for ``load``: a ready version's files never change,
so ``<cache>/<server>/<group>/<model>/<version>/`` is downloaded once and then reused.

A download goes to a temporary directory beside its final place and is renamed there whole,
so an interrupted download leaves no half-filled version behind.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from atrium.sdk.registry.models import ModelVersion
    from atrium.sdk.registry.resource import ModelsResource

CACHE_ENV = "ATRIUM_MODEL_CACHE"


def root(cache_dir: str | os.PathLike[str] | None) -> Path:
    """``cache_dir``, else ``$ATRIUM_MODEL_CACHE``, else the user cache directory."""
    if cache_dir is not None:
        return Path(cache_dir)
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    import platformdirs

    return Path(platformdirs.user_cache_dir("atrium")) / "models"


def fetch(
    models: ModelsResource,
    version: ModelVersion,
    server_url: str,
    cache_dir: str | os.PathLike[str] | None,
) -> Path:
    """The local directory of ``version``'s files, downloading them on first use."""
    if version.status != "ready":
        raise ValueError(f"{version.ref} is {version.status}: finalize it before loading it")
    server = hashlib.sha256(server_url.encode()).hexdigest()[:16]
    final = root(cache_dir) / server / version.group / version.model / str(version.version)
    if final.is_dir():
        return final
    final.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".download-", dir=final.parent))
    try:
        models.download_version(version, staging)
        os.replace(staging, final)
    except OSError:
        if not final.is_dir():  # another process did not win the race: a real failure
            raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return final
