"""``client.jobs``: submit, list, get, wait, cancel, rerun, clone; logs, artifacts, samples."""

from __future__ import annotations

import builtins
import json
import os
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import httpx

from atrium.sdk._http import API_PREFIX, CONNECTION_HINT, _describe, _query, _raise_for_status
from atrium.sdk.errors import AtriumConnectionError
from atrium.sdk.jobs.function import RemoteFunction
from atrium.sdk.jobs.models import Artifact, Job, JobSpec, LogChunk, ResourceSample
from atrium.sdk.jobs.spec import job_template
from atrium.sdk.models import Page
from atrium.sdk.resources._base import Resource, seg

P = ParamSpec("P")
R = TypeVar("R")
PathLike = str | os.PathLike[str]
#: The server waits at most this long per request; ``wait`` asks again until its own timeout.
WAIT_SLICE = 60.0


class JobsResource(Resource):
    @staticmethod
    def _path(group: str, job_id: int | None = None, tail: str = "") -> str:
        base = f"/groups/{seg(group)}/jobs"
        return base if job_id is None else f"{base}/{int(job_id)}{tail}"

    def submit(
        self,
        group: str,
        command: str | Sequence[str],
        *,
        name: str | None = None,
        instance_type: str | None = None,
        env: Mapping[str, str] | None = None,
        secrets: Sequence[str] | None = None,
        inputs: Mapping[str, str] | None = None,
        working_dir: str | None = None,
        environment: str | None = None,
        timeout_seconds: int | None = None,
        max_retries: int | None = None,
        priority: int | None = None,
        experiment: str | None = None,
    ) -> Job:
        """Queue ``command`` (a shell string, or an argv list) in ``group``.

        ``inputs`` maps names to dataset versions (``"group/name@v3"``, ``":tag"`` or the
        latest); the job finds each at ``$ATRIUM_DATA_<NAME>``. ``secrets`` names group secrets
        that arrive as env vars. The job's run (``run_id``) goes into ``experiment`` (``jobs``
        by default). ``clone(...)`` returns these same fields as a dict.
        """
        body = job_template(
            command,
            name=name,
            instance_type=instance_type,
            env=env,
            secrets=secrets,
            inputs=inputs,
            working_dir=working_dir,
            environment=environment,
            timeout_seconds=timeout_seconds,
            max_retries=max_retries,
            priority=priority,
            experiment=experiment,
        )
        return Job.from_api(self._http.request("POST", self._path(group), json=body))

    def list(
        self,
        group: str,
        *,
        status: str | Sequence[str] | None = None,
        mine: bool = False,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> Page[Job]:
        """Newest first; ``status`` keeps only jobs in those states, ``mine`` only yours."""
        params = {"limit": limit, "cursor": cursor, "mine": mine or None}
        return self._http.page(self._path(group), Job.from_api, self._with_status(params, status))

    def iter_all(
        self, group: str, *, status: str | Sequence[str] | None = None, mine: bool = False
    ) -> Iterator[Job]:
        params = self._with_status({"mine": mine or None}, status)
        return self._http.iterate(self._path(group), Job.from_api, params)

    @staticmethod
    def _with_status(params: dict[str, Any], status: str | Sequence[str] | None) -> dict[str, Any]:
        if status is None:
            return params
        return {**params, "status": [status] if isinstance(status, str) else list(status)}

    def get(self, group: str, job_id: int) -> Job:
        return Job.from_api(self._http.request("GET", self._path(group, job_id)))

    def cancel(self, group: str, job_id: int) -> Job:
        """A queued job ends at once; a running one is killed (whole process tree) in moments."""
        return Job.from_api(self._http.request("POST", self._path(group, job_id, "/cancel")))

    def rerun(self, group: str, job_id: int) -> Job:
        """The same spec, on the same dataset versions, as a new job submitted by you."""
        return Job.from_api(self._http.request("POST", self._path(group, job_id, "/rerun")))

    def clone(self, group: str, job_id: int) -> JobSpec:
        """The job's spec as keyword arguments: edit it, then ``submit(group, **spec)``."""
        spec: JobSpec = self._http.request("GET", self._path(group, job_id, "/clone"))
        return spec

    def wait(self, group: str, job_id: int, *, timeout: float | None = None) -> Job:
        """Block until the job ends; ``TimeoutError`` if it has not after ``timeout`` seconds."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = WAIT_SLICE if deadline is None else max(0.0, deadline - time.monotonic())
            params = {"timeout": min(WAIT_SLICE, left)}
            job = Job.from_api(self._request("GET", self._path(group, job_id, "/wait"), params))
            if job.done:
                return job
            if deadline is not None and time.monotonic() >= deadline:
                raise TimeoutError(f"job {job_id} is still {job.status} after {timeout} s")

    # ---- logs ----------------------------------------------------------------------------------

    def log_chunk(
        self,
        group: str,
        job_id: int,
        *,
        offset: int = 0,
        attempt: int | None = None,
        limit: int | None = None,
    ) -> LogChunk:
        """Log text from byte ``offset`` (undecodable bytes show as U+FFFD)."""
        params = {"offset": offset, "attempt": attempt, "limit": limit}
        with self._stream("GET", self._path(group, job_id, "/logs"), params) as response:
            text = response.read().decode("utf-8", "replace")
        headers = response.headers
        found = headers.get("x-log-attempt")
        return LogChunk(
            text=text,
            offset=offset,
            next_offset=int(headers.get("x-log-offset", offset)),
            ended=headers.get("x-log-ended") == "true",
            attempt=int(found) if found else None,
        )

    def logs(self, group: str, job_id: int, *, attempt: int | None = None) -> str:
        """The whole log so far (of the latest attempt unless ``attempt`` is given)."""
        parts, offset = [], 0
        while True:
            chunk = self.log_chunk(group, job_id, offset=offset, attempt=attempt)
            parts.append(chunk.text)
            if chunk.ended or chunk.next_offset == offset:
                return "".join(parts)
            offset = chunk.next_offset

    def follow_logs(
        self, group: str, job_id: int, *, attempt: int | None = None, offset: int = 0
    ) -> Iterator[str]:
        """Yield log text as the job writes it, until the attempt ends."""
        params = {"follow": True, "attempt": attempt, "offset": offset}
        timeout = httpx.Timeout(None, connect=30.0)  # a quiet job may print nothing for hours
        path = self._path(group, job_id, "/logs")
        with self._stream("GET", path, params, timeout=timeout) as response:
            yield from response.iter_text()

    def download_log(
        self, group: str, job_id: int, dest: PathLike, *, attempt: int | None = None
    ) -> Path:
        """Save the raw log bytes to ``dest``."""
        path = self._path(group, job_id, "/logs/download")
        return self._save(path, {"attempt": attempt}, Path(dest))

    # ---- artifacts and samples -----------------------------------------------------------------

    def artifacts(
        self, group: str, job_id: int, *, attempt: int | None = None
    ) -> builtins.list[Artifact]:
        """Files the attempt left in ``$ATRIUM_ARTIFACTS_DIR``, by path."""
        path = self._path(group, job_id, "/artifacts")
        return builtins.list(self._http.iterate(path, Artifact.from_api, {"attempt": attempt}))

    def read_artifact(
        self, group: str, job_id: int, path: str, *, attempt: int | None = None
    ) -> bytes:
        params = {"path": path, "attempt": attempt}
        with self._stream("GET", self._path(group, job_id, "/artifacts/file"), params) as r:
            return r.read()

    def download_artifact(
        self,
        group: str,
        job_id: int,
        path: str,
        dest: PathLike,
        *,
        attempt: int | None = None,
    ) -> Path:
        """Save one artifact to ``dest`` (a file, or an existing directory to put it in)."""
        target = Path(dest)
        if target.is_dir():
            target = target / Path(path).name
        api = self._path(group, job_id, "/artifacts/file")
        return self._save(api, {"path": path, "attempt": attempt}, target)

    def samples(
        self, group: str, job_id: int, *, attempt: int | None = None
    ) -> builtins.list[ResourceSample]:
        path = self._path(group, job_id, "/samples")
        params = {"attempt": attempt, "limit": 500}
        return builtins.list(self._http.iterate(path, ResourceSample.from_api, params))

    # ---- running Python functions as jobs ------------------------------------------------------

    def function(
        self, group: str, **options: Any
    ) -> Callable[[Callable[P, R]], RemoteFunction[P, R]]:
        """Decorate a function so that calling it runs it as a job and returns its result.

        ``options`` are ``submit``'s (instance_type, env, inputs, timeout_seconds, ...). The
        function must be importable by the job (defined at module level in a module on the
        job's ``PYTHONPATH``; its source directory is added when it runs where the server
        runs); arguments and the result travel pickled, so only use it with jobs you trust.
        """

        def decorate(fn: Callable[P, R]) -> RemoteFunction[P, R]:
            return RemoteFunction(self, group, fn, options)

        return decorate

    # ---- raw HTTP ------------------------------------------------------------------------------

    def _request(self, method: str, path: str, params: Mapping[str, Any]) -> Any:
        """A JSON call that may take longer than the client's default timeout."""
        timeout = httpx.Timeout(WAIT_SLICE + 30.0, connect=30.0)
        with self._stream(method, path, params, timeout=timeout) as response:
            return json.loads(response.read())

    @contextmanager
    def _stream(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any],
        timeout: httpx.Timeout | None = None,
    ) -> Iterator[httpx.Response]:
        core = self._http
        headers = {"Authorization": f"Bearer {core.token}"} if core.token else {}
        query = _query(params)
        limits: Any = timeout or httpx.USE_CLIENT_DEFAULT
        try:
            with core.http.stream(
                method, API_PREFIX + path, params=query, headers=headers, timeout=limits
            ) as response:
                if not response.is_success:
                    response.read()
                    _raise_for_status(response)
                yield response
        except httpx.TransportError as exc:
            raise AtriumConnectionError(
                f"cannot reach the Atrium server at {core.base_url} ({_describe(exc)}): "
                + CONNECTION_HINT,
                code="connection_error",
            ) from exc

    def _save(self, path: str, params: Mapping[str, Any], dest: Path) -> Path:
        partial = dest.with_name(dest.name + ".part")
        with self._stream("GET", path, params) as response, open(partial, "wb") as out:
            for piece in response.iter_bytes():
                out.write(piece)
        partial.replace(dest)  # a broken download never leaves a truncated file at dest
        return dest
