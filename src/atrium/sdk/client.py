"""The entry point of the SDK: ``Client``, one attribute per API resource."""

from __future__ import annotations

import importlib
import threading
from http.cookiejar import CookieJar, DefaultCookiePolicy
from types import TracebackType
from typing import TYPE_CHECKING, Generic, TypeVar, overload
from urllib.request import getproxies

import httpx

from atrium.sdk._http import HttpCore
from atrium.sdk.config import resolve
from atrium.sdk.models import Health

if TYPE_CHECKING:
    from atrium.sdk.datasets.resource import DatasetsResource
    from atrium.sdk.jobs.resource import JobsResource
    from atrium.sdk.registry.resource import ModelsResource
    from atrium.sdk.resources.admin import AdminResource
    from atrium.sdk.resources.audit import AuditResource
    from atrium.sdk.resources.auth import AuthResource
    from atrium.sdk.resources.groups import GroupsResource
    from atrium.sdk.resources.instance_types import InstanceTypesResource
    from atrium.sdk.resources.invitations import InvitationsResource
    from atrium.sdk.resources.me import MeResource
    from atrium.sdk.resources.members import MembersResource
    from atrium.sdk.resources.notifications import NotificationsResource
    from atrium.sdk.resources.quotas import QuotasResource
    from atrium.sdk.resources.schedules import SchedulesResource
    from atrium.sdk.resources.secrets import SecretsResource
    from atrium.sdk.resources.tokens import TokensResource
    from atrium.sdk.resources.usage import UsageResource
    from atrium.sdk.resources.users import UsersResource
    from atrium.sdk.tracking.resource import ExperimentsResource, RunsResource


R = TypeVar("R")


class _Resource(Generic[R]):
    """A client attribute holding one resource, its module imported on first access."""

    def __init__(self, module: str, name: str) -> None:
        self._module, self._name = module, name

    def __set_name__(self, owner: type, attribute: str) -> None:
        self._attribute = attribute

    @overload
    def __get__(self, client: None, owner: type) -> _Resource[R]: ...
    @overload
    def __get__(self, client: Client, owner: type) -> R: ...
    def __get__(self, client: Client | None, owner: type) -> _Resource[R] | R:
        if client is None:
            return self
        resource: R = getattr(importlib.import_module(self._module), self._name)(client._core)
        # Not a data descriptor: from now on the instance's own attribute is found first.
        client.__dict__[self._attribute] = resource
        return resource


class Client:
    """A connection to one Atrium server, acting as one user (or anonymously).

    ``url`` and ``token`` default to ``ATRIUM_URL`` / ``ATRIUM_TOKEN``, then to what
    ``atrium login`` stored. Pass ``http`` to use your own ``httpx.Client`` (for instance
    Starlette's ``TestClient``); its ``base_url`` is then the server URL and it is not closed
    by :meth:`close`.
    """

    # Each resource module is imported on first use: importing them all (the model registry's
    # contracts, tracking, jobs) costs ~0.2 s, more than a quick CLI command's own work.
    auth: _Resource[AuthResource] = _Resource("atrium.sdk.resources.auth", "AuthResource")
    me: _Resource[MeResource] = _Resource("atrium.sdk.resources.me", "MeResource")
    tokens: _Resource[TokensResource] = _Resource("atrium.sdk.resources.tokens", "TokensResource")
    users: _Resource[UsersResource] = _Resource("atrium.sdk.resources.users", "UsersResource")
    groups: _Resource[GroupsResource] = _Resource("atrium.sdk.resources.groups", "GroupsResource")
    members: _Resource[MembersResource] = _Resource(
        "atrium.sdk.resources.members", "MembersResource"
    )
    quotas: _Resource[QuotasResource] = _Resource("atrium.sdk.resources.quotas", "QuotasResource")
    instance_types: _Resource[InstanceTypesResource] = _Resource(
        "atrium.sdk.resources.instance_types", "InstanceTypesResource"
    )
    invitations: _Resource[InvitationsResource] = _Resource(
        "atrium.sdk.resources.invitations", "InvitationsResource"
    )
    audit: _Resource[AuditResource] = _Resource("atrium.sdk.resources.audit", "AuditResource")
    admin: _Resource[AdminResource] = _Resource("atrium.sdk.resources.admin", "AdminResource")
    datasets: _Resource[DatasetsResource] = _Resource(
        "atrium.sdk.datasets.resource", "DatasetsResource"
    )
    jobs: _Resource[JobsResource] = _Resource("atrium.sdk.jobs.resource", "JobsResource")
    secrets: _Resource[SecretsResource] = _Resource(
        "atrium.sdk.resources.secrets", "SecretsResource"
    )
    schedules: _Resource[SchedulesResource] = _Resource(
        "atrium.sdk.resources.schedules", "SchedulesResource"
    )
    usage: _Resource[UsageResource] = _Resource("atrium.sdk.resources.usage", "UsageResource")
    notifications: _Resource[NotificationsResource] = _Resource(
        "atrium.sdk.resources.notifications", "NotificationsResource"
    )
    experiments: _Resource[ExperimentsResource] = _Resource(
        "atrium.sdk.tracking.resource", "ExperimentsResource"
    )
    runs: _Resource[RunsResource] = _Resource("atrium.sdk.tracking.resource", "RunsResource")
    models: _Resource[ModelsResource] = _Resource("atrium.sdk.registry.resource", "ModelsResource")

    def __init__(
        self,
        url: str | None = None,
        token: str | None = None,
        *,
        http: httpx.Client | None = None,
        timeout: float = 30,
    ) -> None:
        if http is None:
            base_url, token = resolve(url, token)
            # httpx applies proxies from the environment only without a transport of ours.
            transport = None if getproxies() else _Transport()
            http = httpx.Client(
                base_url=base_url, timeout=timeout, cookies=_no_cookies(), transport=transport
            )
            self._core = HttpCore(http, token, owns_http=True)
        else:
            _, token = resolve(str(http.base_url), token)
            self._core = HttpCore(http, token, owns_http=False)

    @property
    def url(self) -> str:
        """The server's base URL (without the ``/api/v1`` prefix)."""
        return self._core.base_url

    @property
    def token(self) -> str | None:
        """The bearer token sent with every request; None when anonymous."""
        return self._core.token

    @token.setter
    def token(self, value: str | None) -> None:
        self._core.token = value

    def health(self) -> Health:
        """The server's status, version and database state; needs no token."""
        return Health.from_api(self._core.request("GET", "/health"))

    def close(self) -> None:
        self._core.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        # Never show the token: reprs end up in logs and tracebacks.
        signed_in = "signed in" if self.token else "anonymous"
        return f"<atrium.Client {self.url} ({signed_in})>"


class _Transport(httpx.BaseTransport):
    """httpx's default transport, made on first use for each scheme.

    httpx makes its TLS context (loading the CA bundle: 30-60 ms, more than a quick CLI
    command's own work) with the client, even when it only ever talks plain HTTP, as to
    ``atrium up`` on this machine. Here it is made only for the first https:// request; plain
    http:// requests go through a transport without one (there is no TLS to verify).
    """

    def __init__(self) -> None:
        self._by_scheme: dict[str, httpx.HTTPTransport] = {}
        self._lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        scheme = request.url.scheme
        transport = self._by_scheme.get(scheme)
        if transport is None:
            with self._lock:
                transport = self._by_scheme.get(scheme)
                if transport is None:
                    plain = scheme == "http"
                    transport = httpx.HTTPTransport(verify=not plain)
                    self._by_scheme[scheme] = transport
        return transport.handle_request(request)

    def close(self) -> None:
        for transport in self._by_scheme.values():
            transport.close()


def _no_cookies() -> CookieJar:
    """A jar that keeps nothing: login also sets the dashboard's session cookie, and a client
    that kept it would stay signed in (for reads) after its token was dropped."""
    return CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))
