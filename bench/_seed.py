"""Seed a fresh hub through its REST API: groups, a class of students, one API token each.

The platform admin creates the groups and users and adds each user to one group (the first
``admins_per_group`` of every group as group admins). Every student then signs in and creates
an API token with ``POST /tokens``, exactly as a real user would; the load uses those tokens.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

import httpx
from _workload import SimUser

STUDENT_PASSWORD = "student-password-123"
CONCURRENCY = 8  # password hashing is CPU-bound on the server: more would only queue


@dataclass(frozen=True)
class Plan:
    users: int
    groups: int
    admins_per_group: int

    def group_of(self, i: int) -> str:
        return f"class-{i % self.groups:02d}"

    def is_admin(self, i: int) -> bool:
        return i // self.groups < self.admins_per_group

    @staticmethod
    def username(i: int) -> str:
        return f"student{i:03d}"


async def _checked(response: Awaitable[httpx.Response], expected: Iterable[int]) -> Any:
    r = await response
    if r.status_code not in set(expected):
        raise RuntimeError(
            f"seeding: {r.request.method} {r.request.url} -> {r.status_code} {r.text}"
        )
    return r.json() if r.content else None


async def _bounded(n: int, make: Callable[[int], Awaitable[Any]]) -> list[Any]:
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(i: int) -> Any:
        async with gate:
            return await make(i)

    return list(await asyncio.gather(*(one(i) for i in range(n))))


async def _login(client: httpx.AsyncClient, username: str, password: str) -> str:
    body = {"username": username, "password": password}
    data = await _checked(client.post("/auth/login", json=body), [200])
    client.cookies.clear()  # the load uses bearer tokens only
    return str(data["token"])


async def _create_user(
    client: httpx.AsyncClient, admin: dict[str, str], plan: Plan, i: int
) -> None:
    name = plan.username(i)
    body = {"username": name, "password": STUDENT_PASSWORD, "display_name": f"Student {i}"}
    await _checked(client.post("/users", json=body, headers=admin), [201])
    role = "admin" if plan.is_admin(i) else "member"
    member = {"username": name, "role": role}
    await _checked(
        client.post(f"/groups/{plan.group_of(i)}/members", json=member, headers=admin), [201]
    )


async def _api_token(client: httpx.AsyncClient, plan: Plan, i: int) -> str:
    session = await _login(client, plan.username(i), STUDENT_PASSWORD)
    headers = {"Authorization": f"Bearer {session}"}
    created = await _checked(client.post("/tokens", json={"name": "bench"}, headers=headers), [201])
    return str(created["token"])


def _sim_users(plan: Plan, tokens: list[str]) -> list[SimUser]:
    peers: dict[str, list[str]] = {}
    for i in range(plan.users):
        peers.setdefault(plan.group_of(i), []).append(plan.username(i))
    return [
        SimUser(
            username=plan.username(i),
            token=tokens[i],
            group=plan.group_of(i),
            is_group_admin=plan.is_admin(i),
            peers=tuple(peers[plan.group_of(i)]),
        )
        for i in range(plan.users)
    ]


async def seed(base_url: str, admin_password: str, plan: Plan) -> list[SimUser]:
    async with httpx.AsyncClient(base_url=f"{base_url}/api/v1", timeout=120.0) as client:
        admin = {"Authorization": f"Bearer {await _login(client, 'admin', admin_password)}"}
        for g in range(plan.groups):
            body = {"name": plan.group_of(g), "display_name": f"Class {g}"}
            await _checked(client.post("/groups", json=body, headers=admin), [201])
        await _bounded(plan.users, lambda i: _create_user(client, admin, plan, i))
        tokens = await _bounded(plan.users, lambda i: _api_token(client, plan, i))
    return _sim_users(plan, tokens)
