"""Finding a model or version the caller may see or change, and the wire views of them.

Members of a group see all its models. Any member may add a version to a model; changing a
model (its name, tags, aliases, deletion) needs its creator or the group's admin
(``model.manage``); changing a version needs its creator, the model's, or the admin. Everyone
else gets a 404.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from atrium.contracts.registry import ModelFile, ModelVersion, RegisteredModel
from atrium.server.domain.errors import NotFound
from atrium.server.domain.model import Context
from atrium.server.services import policy
from atrium.server.store import registry as store
from atrium.server.store.registry_tables import ModelFileRow, ModelVersionRow, RegisteredModelRow
from atrium.server.store.tables import GroupRow


@dataclass(frozen=True)
class ModelTarget:
    group: GroupRow
    model: RegisteredModelRow


@dataclass(frozen=True)
class VersionTarget:
    group: GroupRow
    model: RegisteredModelRow
    version: ModelVersionRow


def resolve_model(
    s: Session,
    ctx: Context,
    group: str,
    name: str,
    write: bool = False,
    lock: bool = False,
    action: str = "model.read",
) -> ModelTarget:
    """The live model ``name`` of ``group``; ``write`` also checks the caller may change it.
    ``lock`` holds the model row until commit: version numbers and alias moves serialise on it.
    """
    row = policy.require_group(s, ctx.principal, group, action)
    model = store.model_by_name(s, row.id, name, lock=lock)
    if model is None:
        raise NotFound(f"model {name!r} not found in {group!r}")
    if write:
        policy.require_owner_or(s, ctx.principal, row, model.created_by_id, "model.manage")
    return ModelTarget(row, model)


def resolve_version(
    s: Session,
    ctx: Context,
    group: str,
    name: str,
    number: int,
    write: bool = False,
    lock: bool = False,
) -> VersionTarget:
    """The live version ``number`` of the model; ``write``: the caller may change it."""
    found = resolve_model(s, ctx, group, name, lock=lock)
    version = store.version(s, found.model.id, number, lock=lock)
    if version is None:
        raise NotFound(f"version {number} of model {name!r} not found in {group!r}")
    if write and ctx.principal.user_id != version.created_by_id:
        owner = found.model.created_by_id
        policy.require_owner_or(s, ctx.principal, found.group, owner, "model.manage")
    return VersionTarget(found.group, found.model, version)


def to_models(s: Session, group: str, rows: Sequence[RegisteredModelRow]) -> list[RegisteredModel]:
    ids = [r.id for r in rows]
    summaries, aliases = store.version_summaries(s, ids), store.aliases(s, ids)
    return [
        RegisteredModel(
            id=r.id,
            group=group,
            name=r.name,
            description=r.description,
            tags=r.tags,
            created_by=r.created_by,
            created_at=r.created_at,
            updated_at=r.updated_at,
            aliases=aliases.get(r.id, {}),
            latest_version=summaries.get(r.id, (0, None))[1],
            version_count=summaries.get(r.id, (0, None))[0],
        )
        for r in rows
    ]


def to_versions(
    s: Session, group: str, model: RegisteredModelRow, rows: Sequence[ModelVersionRow]
) -> list[ModelVersion]:
    stats = store.file_stats(s, [r.id for r in rows])
    runs = store.run_uuids(s, [r.run_id for r in rows if r.run_id is not None])
    by_version: dict[int, list[str]] = {}
    for alias, number in store.aliases(s, [model.id])[model.id].items():
        by_version.setdefault(number, []).append(alias)
    return [_version(group, model, r, stats, runs, by_version) for r in rows]


def _version(
    group: str,
    model: RegisteredModelRow,
    r: ModelVersionRow,
    stats: dict[int, tuple[int, int]],
    runs: dict[int, str],
    aliases: dict[int, list[str]],
) -> ModelVersion:
    run_id = runs.get(r.run_id) if r.run_id is not None else None
    source = f"runs:/{run_id}/{r.source_path or ''}" if run_id else "upload"
    count, size = stats.get(r.id, (0, 0))
    return ModelVersion(
        model=model.name,
        group=group,
        version=r.version,
        status=r.status,
        description=r.description,
        tags=r.tags,
        flavors=r.flavors,
        signature=r.signature,
        input_example_path=r.input_example_path,
        metrics={k: math.nan if v is None else v for k, v in r.metrics.items()},
        run_id=run_id,
        source_path=r.source_path,
        source=source,
        aliases=aliases.get(r.version, []),
        file_count=count,
        size=size,
        created_by=r.created_by,
        created_at=r.created_at,
        updated_at=r.updated_at,
    )


def to_file(row: ModelFileRow) -> ModelFile:
    return ModelFile(path=row.path, size=row.size, hash=row.hash)
