"""The simulated class: each user loops over a weighted mix of REST calls as fast as it can.

One worker process runs a slice of the users on one asyncio loop; every user has its own
``httpx.AsyncClient`` (one kept-alive connection, as a real student's client would), so the
load generator never funnels 200 users through one connection pool. A request counts when it
*starts* inside the measured window (after the warm-up); any non-2xx answer or transport error
is an error, whenever it happens.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import ssl
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

MAX_ERRORS_KEPT = 5


@dataclass(frozen=True)
class SimUser:
    username: str
    token: str
    group: str
    is_group_admin: bool
    peers: tuple[str, ...]


@dataclass(frozen=True)
class WorkerSpec:
    base_url: str
    users: list[SimUser]
    start_at: float  # wall clock (time.time()) shared by all workers
    warmup: float
    seconds: float
    think: float
    seed: int
    exclude: tuple[str, ...] = ()


@dataclass
class Recorder:
    measure_from: float
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: int = 0
    first_errors: list[str] = field(default_factory=list)

    def record(self, name: str, started: float, response: httpx.Response) -> None:
        if started >= self.measure_from:
            self.latencies[name].append(time.perf_counter() - started)
        if not 200 <= response.status_code < 300:
            self.fail(f"{name}: {response.status_code} {response.text[:300]}")

    def fail(self, message: str) -> None:
        self.errors += 1
        if len(self.first_errors) < MAX_ERRORS_KEPT:
            self.first_errors.append(message)


class Session:
    """One simulated user: its client, its recorder and its random stream."""

    def __init__(self, user: SimUser, client: httpx.AsyncClient, rec: Recorder, rng: random.Random):
        self.user = user
        self.client = client
        self.rec = rec
        self.rng = rng
        self.counter = itertools.count()

    async def call(
        self, name: str, method: str, path: str, body: dict[str, Any] | None = None
    ) -> httpx.Response | None:
        started = time.perf_counter()
        try:
            response = await self.client.request(method, path, json=body)
        except httpx.HTTPError as exc:
            self.rec.fail(f"{name}: {type(exc).__name__}: {exc}")
            return None
        self.rec.record(name, started, response)
        return response


Op = Callable[[Session], Awaitable[Any]]


async def get_me(s: Session) -> None:
    await s.call("GET /me", "GET", "/me")


async def list_groups(s: Session) -> None:
    await s.call("GET /groups", "GET", "/groups")


async def get_group(s: Session) -> None:
    await s.call("GET /groups/{g}", "GET", f"/groups/{s.user.group}")


async def list_members(s: Session) -> None:
    await s.call("GET /groups/{g}/members", "GET", f"/groups/{s.user.group}/members")


async def get_usage(s: Session) -> None:
    await s.call("GET /groups/{g}/usage", "GET", f"/groups/{s.user.group}/usage")


async def list_instance_types(s: Session) -> None:
    await s.call("GET /instance-types", "GET", "/instance-types")


async def list_tokens(s: Session) -> None:
    await s.call("GET /tokens", "GET", "/tokens")


async def token_cycle(s: Session) -> None:
    """Create a token and revoke it again: two writes, each with an audit event."""
    created = await s.call("POST /tokens", "POST", "/tokens", {"name": f"load-{next(s.counter)}"})
    if created is not None and created.status_code == 201:
        await s.call("DELETE /tokens/{id}", "DELETE", f"/tokens/{created.json()['id']}")


async def patch_group(s: Session) -> None:
    body = {"description": f"updated by {s.user.username} #{next(s.counter)}"}
    await s.call("PATCH /groups/{g}", "PATCH", f"/groups/{s.user.group}", body)


async def patch_member_quota(s: Session) -> None:
    member = s.rng.choice(s.user.peers)
    body = {"cpu": s.rng.randint(1, 8), "memory": f"{s.rng.randint(1, 16)}Gi", "gpu": 0}
    path = f"/groups/{s.user.group}/members/{member}/quota"
    await s.call("PATCH /groups/{g}/members/{u}/quota", "PATCH", path, body)


async def read_audit(s: Session) -> None:
    await s.call("GET /audit?group={g}", "GET", f"/audit?group={s.user.group}")


# Weights per pick. A pick of token_cycle issues two requests.
MEMBER_MIX: dict[Op, int] = {
    get_me: 4,
    list_groups: 2,
    get_group: 2,
    list_members: 2,
    get_usage: 2,
    list_instance_types: 2,
    list_tokens: 2,
    token_cycle: 1,
}
ADMIN_MIX: dict[Op, int] = {**MEMBER_MIX, patch_group: 1, patch_member_quota: 1, read_audit: 1}


OP_NAMES = tuple(op.__name__ for op in ADMIN_MIX)


async def user_loop(s: Session, deadline: float, think: float, exclude: tuple[str, ...]) -> None:
    full = ADMIN_MIX if s.user.is_group_admin else MEMBER_MIX
    mix = {op: w for op, w in full.items() if op.__name__ not in exclude}
    ops, weights = list(mix), list(itertools.accumulate(mix.values()))
    while time.perf_counter() < deadline:
        op = s.rng.choices(ops, cum_weights=weights)[0]
        await op(s)
        if think > 0:
            await asyncio.sleep(s.rng.uniform(0.5 * think, 1.5 * think))


def _client(spec: WorkerSpec, user: SimUser, tls: ssl.SSLContext) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=f"{spec.base_url}/api/v1",
        headers={"Authorization": f"Bearer {user.token}"},
        limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
        timeout=httpx.Timeout(120.0),
        verify=tls,
    )


async def _run(spec: WorkerSpec) -> dict[str, Any]:
    tls = ssl.create_default_context()  # unused on http://, shared so clients are cheap to make
    clients = [_client(spec, u, tls) for u in spec.users]
    start = time.perf_counter() + (spec.start_at - time.time())
    late = max(0.0, time.perf_counter() - start)
    await asyncio.sleep(max(0.0, start - time.perf_counter()))
    measure_from = start + spec.warmup
    deadline = measure_from + spec.seconds
    rec = Recorder(measure_from)
    rngs = [random.Random(spec.seed * 100_003 + i) for i in range(len(spec.users))]
    sessions = [Session(u, c, rec, r) for u, c, r in zip(spec.users, clients, rngs, strict=True)]
    cpu_before: float | None = None

    async def measure_cpu() -> None:
        nonlocal cpu_before
        await asyncio.sleep(max(0.0, measure_from - time.perf_counter()))
        cpu_before = time.process_time()

    await asyncio.gather(
        measure_cpu(), *(user_loop(s, deadline, spec.think, spec.exclude) for s in sessions)
    )
    finished = time.perf_counter()
    cpu = time.process_time() - (cpu_before or 0.0)
    await asyncio.gather(*(c.aclose() for c in clients))
    return {
        "latencies": dict(rec.latencies),
        "errors": rec.errors,
        "first_errors": rec.first_errors,
        "cpu_seconds": cpu,
        "busy_seconds": finished - measure_from,
        "late_start_seconds": late,
    }


def run_worker(spec: WorkerSpec) -> dict[str, Any]:
    """Entry point of a load-generator process."""
    return asyncio.run(_run(spec))
