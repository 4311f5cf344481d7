"""Checking a submitted job against the hub: instance type, inputs, secrets, environment, limits.

Everything that can make a job impossible is refused here, at submit, with the reason; a job
that passes can only wait (for quota or capacity), never be stuck forever.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from atrium.contracts.jobs import JobSubmit
from atrium.server.backends.executors.base import Executor, ExecutorError, Resources
from atrium.server.domain import jobs as rules
from atrium.server.domain.errors import InvalidInput, QuotaExceeded
from atrium.server.domain.model import Context
from atrium.server.services import dataset_access, job_runs
from atrium.server.services.quotas import to_quota
from atrium.server.services.secrets import SecretService
from atrium.server.store import instance_types as it_store
from atrium.server.store import quotas as quota_store
from atrium.server.store.tables import GroupRow, InstanceTypeRow


@dataclass(frozen=True)
class Checked:
    """A submission that can run: its allocation and the spec to store."""

    instance_type: InstanceTypeRow
    spec: dict[str, Any]

    @property
    def amounts(self) -> dict[str, float]:
        it = self.instance_type
        return {"cpu": it.cpu, "memory": it.memory, "gpu": it.gpu, "running_jobs": 1}


class SpecChecker:
    def __init__(
        self, secrets: SecretService, executor: Executor, environments_root: Path | None
    ) -> None:
        self.secrets = secrets
        self.executor = executor
        self.environments_root = environments_root

    def check(self, s: Session, ctx: Context, group: GroupRow, body: JobSubmit) -> Checked:
        it = self._instance_type(s, group, body.instance_type)
        self._fits(s, ctx, group, it)
        self._env_and_secrets(s, group, body)
        environment = self.environment_path(body.environment)
        checked = Checked(
            instance_type=it,
            spec={
                "command": body.command,
                "env": body.env,
                "secrets": body.secrets,
                "inputs": body.inputs,
                "resolved_inputs": _resolve_inputs(s, ctx, body.inputs),
                "working_dir": rules.check_working_dir(body.working_dir),
                "environment": body.environment if environment else None,
            },
        )
        job_runs.reserve(checked.spec, body.experiment)
        return checked

    def environment_path(self, name: str | None) -> Path | None:
        """The virtualenv a named environment is; None for the server's own Python."""
        if name is None:
            return None
        if self.environments_root is None:
            raise InvalidInput(
                "this server has no named environments (ATRIUM_JOB_ENVIRONMENTS is unset); "
                "leave environment empty to use the server's Python",
                {"field": "environment"},
            )
        path = self.environments_root / name
        if not (path / "bin" / "python").exists():
            raise InvalidInput(
                f"environment {name!r} not found under the server's environments root",
                {"field": "environment"},
            )
        return path

    @staticmethod
    def _instance_type(s: Session, group: GroupRow, name: str) -> InstanceTypeRow:
        row = it_store.by_name(s, name)
        granted = row is not None and (
            row.is_global or group.name in it_store.granted_group_names(s, [row.id])[row.id]
        )
        if row is None or not granted:
            raise InvalidInput(
                f"instance type {name!r} does not exist or is not available to {group.name!r}: "
                "see `atrium instance-types list --group`",
                {"field": "instance_type"},
            )
        return row

    def _fits(self, s: Session, ctx: Context, group: GroupRow, it: InstanceTypeRow) -> None:
        """Refuse what no amount of waiting would admit: bigger than a quota or the executor."""
        wanted = {"cpu": it.cpu, "memory": it.memory, "gpu": it.gpu, "running_jobs": 1}
        limits = {"group": to_quota(quota_store.group_quota(s, group.id))}
        if ctx.principal.user_id is not None:
            mine = quota_store.member_quota(s, group.id, ctx.principal.user_id)
            limits["user"] = to_quota(mine)
        for scope, quota in limits.items():
            for resource, amount in wanted.items():
                limit = getattr(quota, resource)
                if limit is not None and amount > limit:
                    details = {
                        "scope": scope,
                        "resource": resource,
                        "limit": limit,
                        "asked": amount,
                    }
                    raise QuotaExceeded(_never(it.name, resource, amount, scope, limit), details)
        try:
            offer = self.executor.capacity()  # a Ray cluster grows and shrinks
        except ExecutorError:
            return  # unreachable now: the job may queue until it is back
        if not Resources(it.cpu, it.memory, it.gpu).fits_in(offer):
            raise InvalidInput(
                f"instance type {it.name!r} ({_shape(it.cpu, it.memory, it.gpu)}) is larger "
                f"than the whole executor ({_shape(offer.cpu, offer.memory_bytes, offer.gpu)})",
                {"field": "instance_type"},
            )

    def _env_and_secrets(self, s: Session, group: GroupRow, body: JobSubmit) -> None:
        clash = sorted(set(body.env) & set(body.secrets))
        if clash:
            raise InvalidInput(
                f"{', '.join(clash)} is both an env var and a secret: pick one", {"field": "env"}
            )
        if body.secrets:
            self.secrets.check_names_in(s, group.id, sorted(set(body.secrets)))


def _never(it: str, resource: str, amount: float, scope: str, limit: float) -> str:
    label = rules.RESOURCE_LABELS[resource]
    whose = "the group's" if scope == "group" else "your"
    return (
        f"instance type {it!r} needs {rules.fmt_amount(resource, amount)} {label}, more than "
        f"{whose} {label} quota of {rules.fmt_amount(resource, limit)}: it could never start; "
        "pick a smaller instance type or ask for a bigger quota"
    )


def _shape(cpu: float, memory: int, gpu: int) -> str:
    return f"{cpu:g} CPU, {rules.fmt_amount('memory', memory)}, {gpu} GPU"


def _resolve_inputs(s: Session, ctx: Context, inputs: Mapping[str, str]) -> dict[str, str]:
    """Pin every input to a version number now: a job reads what was current at submit."""
    return {name: dataset_access.pin_input(s, ctx, spec, name)[1] for name, spec in inputs.items()}
