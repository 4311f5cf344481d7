"""A route whose router is imported and built on the first request it matches.

Building a router costs start-up time: importing its modules and FastAPI's analysis of every
endpoint's signature. For a part of the API most servers seldom serve (the MLflow
compatibility API), that time is better spent on its first request than on every start.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from typing import Any

from starlette._utils import get_route_path
from starlette.routing import BaseRoute, Match, NoMatchFound
from starlette.types import ASGIApp, Receive, Scope, Send


class LazyRouter(BaseRoute):
    """Every HTTP request whose path matches ``pattern`` goes to the app ``build`` returns.

    The built app must answer every such path itself (a catch-all of its own), since once
    matched here no later route is tried. Out of the OpenAPI document: it lists no routes.
    """

    def __init__(self, pattern: str, build: Callable[[], ASGIApp], name: str) -> None:
        self.pattern = re.compile(pattern)
        self.name = name
        self.include_in_schema = False
        self._build = build
        self._app: ASGIApp | None = None
        self._lock = threading.Lock()

    @property
    def app(self) -> ASGIApp:
        """The built app (building it now if no request has yet)."""
        if self._app is None:
            with self._lock:  # apps share this route; TestClients run in threads
                if self._app is None:
                    self._app = self._build()
        return self._app

    @property
    def routes(self) -> list[BaseRoute]:
        """The built app's routes, for what walks a route table (building it now)."""
        return list(getattr(self.app, "routes", []))

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] == "http" and self.pattern.match(get_route_path(scope)):
            return Match.FULL, {}
        return Match.NONE, {}

    def url_path_for(self, name: str, /, **path_params: Any) -> Any:
        # Names inside are not known before the build; nothing outside links to them.
        raise NoMatchFound(name, path_params)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)
