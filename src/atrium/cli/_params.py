"""Parameter conversion without pydantic for the plain cases (str and Path values).

Typer (0.2x) converts every non-bool parameter through a pydantic ``TypeAdapter``: importing
pydantic and building the adapters costs ~80 ms of CPU, a third of a quick command such as
``atrium datasets status``. A string argument needs no conversion and a path only ``Path(value)``
before Typer's own checks (exists, file_okay, ...), so :func:`install` gives every parameter a
conversion that handles those two cases itself and hands anything else (numbers, choices,
custom parsers, lists) to the adapter Typer would have built, built only then.

This relies on two Typer internals, ``typer.core.build_runtime_param`` and
``typer._coercion.RuntimeParam``; when they are missing (another Typer version), :func:`install`
leaves Typer as it is and the CLI works as before, only slower to start.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

try:
    from typer import _coercion, core
    from typer._param_types import coerce_cli_path

    _Base: Any = _coercion.RuntimeParam
    _typer_build = _coercion.build_runtime_param
    _available = core.build_runtime_param is _typer_build  # type: ignore[attr-defined]
except (ImportError, AttributeError):  # pragma: no cover - another Typer version
    _available = False
    _Base = object


class PlainParam(_Base):  # type: ignore[misc]
    """Converts str and Path values; builds Typer's own conversion for any other value."""

    def __init__(self, descriptor: Any) -> None:
        super().__init__(parameter_info=descriptor.parameter_info, annotation=descriptor.annotation)
        # RuntimeParam is a frozen dataclass; this attribute is not one of its fields.
        object.__setattr__(self, "_descriptor", descriptor)
        object.__setattr__(self, "_typer", None)

    def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
        info = self.parameter_info
        if info.parser is None and info.path_type is None:
            if self.annotation is str and isinstance(value, str):
                return value
            if self.annotation is Path and isinstance(value, str | Path):
                return coerce_cli_path(Path(value), info, path_type=Path, param=param, ctx=ctx)
        return self.typer_param()._coerce_value(value, param, ctx)

    def typer_param(self) -> Any:
        """The conversion Typer builds for this parameter (a pydantic adapter, usually)."""
        if self._typer is None:
            object.__setattr__(self, "_typer", _typer_build(self._descriptor))
        return self._typer


def _build(descriptor: Any) -> Any:
    if descriptor.file_annotation is not None:
        return _typer_build(descriptor)  # files are opened by Typer, no adapter involved
    return PlainParam(descriptor)


def install() -> bool:
    """Use :class:`PlainParam` for the parameters of every command; False if not possible."""
    if not _available:
        return False
    core.build_runtime_param = _build  # type: ignore[attr-defined]
    return True
