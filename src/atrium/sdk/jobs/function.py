"""Running a Python function as a job: ``@client.jobs.function(group)``.

The call is pickled into the job's command line and run there by :mod:`.runner`, which
leaves the result (or the exception) as an artifact that :meth:`RemoteFunction.result`
downloads and unpickles. Functions travel by reference, as pickle does: the job imports the
function's module, so it must be importable there.
"""

from __future__ import annotations

import base64
import pickle
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, ParamSpec, TypeVar, cast

from atrium.sdk.jobs.models import Job
from atrium.sdk.jobs.runner import RESULT

if TYPE_CHECKING:
    from atrium.sdk.jobs.resource import JobsResource

P = ParamSpec("P")
R = TypeVar("R")


class JobFunctionError(Exception):
    """The function raised inside its job, or the job ended without a result.

    ``job`` is the ended job; ``remote_traceback`` the traceback printed in the job (None
    when the job died before the function returned: killed, timed out, cancelled).
    """

    def __init__(self, message: str, job: Job, remote_traceback: str | None = None) -> None:
        super().__init__(message)
        self.job = job
        self.remote_traceback = remote_traceback


class RemoteFunction(Generic[P, R]):
    """Calling it submits a job, waits for it and returns the function's result."""

    def __init__(
        self, jobs: JobsResource, group: str, fn: Callable[P, R], options: dict[str, Any]
    ) -> None:
        self.jobs = jobs
        self.group = group
        self.fn = fn
        self.options = options
        self.__doc__ = fn.__doc__
        self.__name__ = getattr(fn, "__name__", "function")

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        return self.result(self.submit(*args, **kwargs))

    def submit(self, *args: P.args, **kwargs: P.kwargs) -> Job:
        """Queue the call as a job without waiting for it."""
        payload = base64.b64encode(pickle.dumps((self.fn, args, kwargs))).decode()
        options = dict(self.options)
        env = {**_import_path(self.fn), **options.pop("env", {})}
        options.setdefault("name", _job_name(self.__name__))
        command = ["python", "-m", "atrium.sdk.jobs.runner", payload]
        return self.jobs.submit(self.group, command, env=env, **options)

    def result(self, job: Job, timeout: float | None = None) -> R:
        """Wait for ``job`` (from :meth:`submit`) and return what the function returned."""
        ended = self.jobs.wait(self.group, job.id, timeout=timeout)
        names = {a.path for a in self.jobs.artifacts(self.group, ended.id)}
        if RESULT not in names:
            raise JobFunctionError(
                f"job {ended.id} {ended.status} without a result: {ended.reason}", ended
            )
        outcome = pickle.loads(self.jobs.read_artifact(self.group, ended.id, RESULT))
        if outcome[0] == "error":
            raise JobFunctionError(f"job {ended.id}: {outcome[1]}", ended, outcome[2])
        return cast(R, outcome[1])


def _import_path(fn: Callable[..., Any]) -> dict[str, str]:
    """PYTHONPATH that makes the function's module importable (where the server runs)."""
    module = sys.modules.get(fn.__module__)
    source = getattr(module, "__file__", None)
    if fn.__module__ == "__main__" or source is None:
        raise ValueError(
            f"{fn.__qualname__} is defined in a script: put it in an importable module so "
            "that the job can import it"
        )
    depth = fn.__module__.count(".") + (Path(source).name == "__init__.py")
    root = Path(source).resolve().parents[depth]
    return {"PYTHONPATH": str(root)}


def _job_name(name: str) -> str:
    cleaned = "".join(c if c.isalnum() or c in "_.-" else "-" for c in name.lower())
    return (cleaned.strip("-_.") or "function")[:63]
