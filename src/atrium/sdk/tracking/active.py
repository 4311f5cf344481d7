"""A run being logged to from this process: params and tags go out at once, metrics through
the background batcher, artifacts as uploads."""

from __future__ import annotations

import io
import json
import os
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from atrium.sdk.tracking.batcher import MetricBatcher
from atrium.sdk.tracking.models import Artifact, Run
from atrium.sdk.tracking.system import SystemMetrics

if TYPE_CHECKING:
    from atrium.sdk.client import Client


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def _join(artifact_path: str | None, name: str) -> str:
    return f"{artifact_path.strip('/')}/{name}" if artifact_path else name


class ActiveRun:
    """Use as a context manager: leaving it flushes and ends the run (``failed`` when an
    exception escapes, ``killed`` on Ctrl-C, ``finished`` otherwise)."""

    def __init__(
        self,
        client: Client,
        run: Run,
        *,
        flush_interval: float = 1.0,
        system_metrics: bool = False,
        system_interval: float = 10.0,
        owns_client: bool = False,
        on_end: Callable[[ActiveRun], None] | None = None,
        resumed: bool = False,
    ) -> None:
        self.client = client
        self._on_end = on_end
        self.info = run
        self._owns_client = owns_client
        self._steps: dict[str, int] = {}
        self._batcher = MetricBatcher(self._send, interval=flush_interval)
        self._system = SystemMetrics(self.log_metric, system_interval) if system_metrics else None
        self.ended = False
        self._resumed = resumed  # a job's run: the job's end sets its status

    @property
    def id(self) -> str:
        return self.info.id

    @property
    def group(self) -> str:
        return self.info.group

    def _send(self, series: list[dict[str, Any]]) -> object:
        return self.client.runs.log_batch(self.group, self.id, metrics=series)

    # ---- params, tags, metrics -----------------------------------------------------------

    def log_param(self, key: str, value: Any) -> None:
        self.log_params({key: value})

    def log_params(self, params: Mapping[str, Any]) -> None:
        """Params are immutable: logging a key again with another value raises Conflict."""
        self.client.runs.log_batch(
            self.group, self.id, params={k: str(v) for k, v in params.items()}
        )

    def set_tag(self, key: str, value: Any) -> None:
        self.set_tags({key: value})

    def set_tags(self, tags: Mapping[str, Any]) -> None:
        self.client.runs.log_batch(self.group, self.id, tags={k: str(v) for k, v in tags.items()})

    def log_metric(
        self, key: str, value: float, step: int | None = None, timestamp: int | None = None
    ) -> None:
        """Queue one point; returns at once. ``step`` defaults to the key's next step
        (0, 1, 2, ...), ``timestamp`` (milliseconds) to now."""
        if step is None:
            step = self._steps.get(key, 0)
        self._steps[key] = step + 1
        self._batcher.log(
            key, float(value), int(step), now_ms() if timestamp is None else timestamp
        )

    def log_metrics(
        self, metrics: Mapping[str, float], step: int | None = None, timestamp: int | None = None
    ) -> None:
        stamp = now_ms() if timestamp is None else timestamp
        for key, value in metrics.items():
            self.log_metric(key, value, step, stamp)

    def flush(self, timeout: float | None = None) -> None:
        """Wait until every metric logged so far is stored on the server."""
        self._batcher.flush(timeout)

    # ---- artifacts -----------------------------------------------------------------------

    def log_artifact(
        self, local_path: str | os.PathLike[str], artifact_path: str | None = None
    ) -> Artifact:
        """Upload a file as ``<artifact_path>/<file name>``."""
        name = Path(local_path).name
        return self.client.runs.upload_artifact(
            self.group, self.id, local_path, _join(artifact_path, name)
        )

    def log_artifacts(
        self, local_dir: str | os.PathLike[str], artifact_path: str | None = None
    ) -> list[Artifact]:
        """Upload every file under ``local_dir``, keeping the relative paths."""
        root = Path(local_dir)
        uploaded = []
        for path in sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink()):
            target = _join(artifact_path, path.relative_to(root).as_posix())
            uploaded.append(self.client.runs.upload_artifact(self.group, self.id, path, target))
        return uploaded

    def log_text(self, text: str, artifact_file: str) -> Artifact:
        return self.client.runs.upload_bytes(self.group, self.id, text.encode(), artifact_file)

    def log_dict(self, dictionary: Mapping[str, Any], artifact_file: str) -> Artifact:
        """As JSON, or as YAML when the name ends in .yaml/.yml (needs PyYAML)."""
        if artifact_file.endswith((".yaml", ".yml")):
            import yaml  # type: ignore[import-untyped]  # optional: only YAML needs it

            text = yaml.safe_dump(dict(dictionary), sort_keys=False)
        else:
            text = json.dumps(dictionary, indent=2, ensure_ascii=False)
        return self.log_text(text, artifact_file)

    def log_figure(self, figure: Any, artifact_file: str) -> Artifact:
        """A Matplotlib figure (anything with ``savefig``; the format follows the file
        name, e.g. ``.png`` or ``.svg``), or a Plotly figure as ``.html``."""
        suffix = Path(artifact_file).suffix.lstrip(".").lower() or "png"
        buffer = io.BytesIO()
        if hasattr(figure, "savefig"):
            figure.savefig(buffer, format=suffix)
        elif hasattr(figure, "write_html") and suffix == "html":
            text = io.StringIO()
            figure.write_html(text)
            buffer.write(text.getvalue().encode())
        else:
            raise TypeError(f"cannot save a {type(figure).__name__} as {artifact_file!r}")
        return self.client.runs.upload_bytes(self.group, self.id, buffer.getvalue(), artifact_file)

    # ---- the end -------------------------------------------------------------------------

    def end(self, status: str = "finished", timeout: float | None = None) -> None:
        """Flush and mark the run ended; a second call does nothing."""
        if self.ended:
            return
        self.ended = True
        try:
            if self._system is not None:
                self._system.stop()
            self._batcher.close(timeout)
        finally:
            if self._on_end is not None:
                self._on_end(self)
            if not self._resumed:
                self.info = self.client.runs.update(self.group, self.id, status=status)
            if self._owns_client:
                self.client.close()

    def __enter__(self) -> ActiveRun:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        status = "finished"
        if exc_type is not None:
            status = "killed" if issubclass(exc_type, KeyboardInterrupt) else "failed"
        self.end(status)
