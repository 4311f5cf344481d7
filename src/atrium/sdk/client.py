"""The entry point of the SDK: ``Client``, one attribute per API resource."""

from __future__ import annotations

import threading
from functools import cached_property
from http.cookiejar import CookieJar, DefaultCookiePolicy
from types import TracebackType
from typing import TYPE_CHECKING
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


class Client:
    """A connection to one Atrium server, acting as one user (or anonymously).

    ``url`` and ``token`` default to ``ATRIUM_URL`` / ``ATRIUM_TOKEN``, then to what
    ``atrium login`` stored. Pass ``http`` to use your own ``httpx.Client`` (for instance
    Starlette's ``TestClient``); its ``base_url`` is then the server URL and it is not closed
    by :meth:`close`.
    """

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

    # Each resource module is imported on first use: importing them all (the model registry's
    # contracts, tracking, jobs) costs ~0.2 s, more than a quick CLI command's own work.

    @cached_property
    def auth(self) -> AuthResource:
        from atrium.sdk.resources.auth import AuthResource

        return AuthResource(self._core)

    @cached_property
    def me(self) -> MeResource:
        from atrium.sdk.resources.me import MeResource

        return MeResource(self._core)

    @cached_property
    def tokens(self) -> TokensResource:
        from atrium.sdk.resources.tokens import TokensResource

        return TokensResource(self._core)

    @cached_property
    def users(self) -> UsersResource:
        from atrium.sdk.resources.users import UsersResource

        return UsersResource(self._core)

    @cached_property
    def groups(self) -> GroupsResource:
        from atrium.sdk.resources.groups import GroupsResource

        return GroupsResource(self._core)

    @cached_property
    def members(self) -> MembersResource:
        from atrium.sdk.resources.members import MembersResource

        return MembersResource(self._core)

    @cached_property
    def quotas(self) -> QuotasResource:
        from atrium.sdk.resources.quotas import QuotasResource

        return QuotasResource(self._core)

    @cached_property
    def instance_types(self) -> InstanceTypesResource:
        from atrium.sdk.resources.instance_types import InstanceTypesResource

        return InstanceTypesResource(self._core)

    @cached_property
    def invitations(self) -> InvitationsResource:
        from atrium.sdk.resources.invitations import InvitationsResource

        return InvitationsResource(self._core)

    @cached_property
    def audit(self) -> AuditResource:
        from atrium.sdk.resources.audit import AuditResource

        return AuditResource(self._core)

    @cached_property
    def admin(self) -> AdminResource:
        from atrium.sdk.resources.admin import AdminResource

        return AdminResource(self._core)

    @cached_property
    def datasets(self) -> DatasetsResource:
        from atrium.sdk.datasets.resource import DatasetsResource

        return DatasetsResource(self._core)

    @cached_property
    def jobs(self) -> JobsResource:
        from atrium.sdk.jobs.resource import JobsResource

        return JobsResource(self._core)

    @cached_property
    def secrets(self) -> SecretsResource:
        from atrium.sdk.resources.secrets import SecretsResource

        return SecretsResource(self._core)

    @cached_property
    def schedules(self) -> SchedulesResource:
        from atrium.sdk.resources.schedules import SchedulesResource

        return SchedulesResource(self._core)

    @cached_property
    def usage(self) -> UsageResource:
        from atrium.sdk.resources.usage import UsageResource

        return UsageResource(self._core)

    @cached_property
    def notifications(self) -> NotificationsResource:
        from atrium.sdk.resources.notifications import NotificationsResource

        return NotificationsResource(self._core)

    @cached_property
    def experiments(self) -> ExperimentsResource:
        from atrium.sdk.tracking.resource import ExperimentsResource

        return ExperimentsResource(self._core)

    @cached_property
    def runs(self) -> RunsResource:
        from atrium.sdk.tracking.resource import RunsResource

        return RunsResource(self._core)

    @cached_property
    def models(self) -> ModelsResource:
        from atrium.sdk.registry.resource import ModelsResource

        return ModelsResource(self._core)

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
