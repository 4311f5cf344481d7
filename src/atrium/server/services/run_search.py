"""Searching runs with a filter expression and an order, and comparing runs side by side."""

from __future__ import annotations

from collections.abc import Sequence

from atrium.contracts.common import Page
from atrium.contracts.tracking import Run, RunComparison, RunSearch
from atrium.server.domain.errors import InvalidInput, NotFound
from atrium.server.domain.model import Context
from atrium.server.domain.run_filter import parse_filter, parse_order
from atrium.server.domain.tracking import Selection
from atrium.server.services import policy
from atrium.server.services import run_access as access
from atrium.server.services.run_access import RunViews
from atrium.server.store import experiments as exp_store
from atrium.server.store import run_search as search_store
from atrium.server.store import runs as run_store
from atrium.server.store.db import Database

MAX_COMPARE = 100


class RunSearchService:
    def __init__(self, db: Database) -> None:
        self.db = db

    def search(self, ctx: Context, group: str, query: RunSearch) -> Page[Run]:
        views, nxt = self.views(ctx, group, query)
        return Page[Run](items=list(views), next_cursor=nxt)

    def views(self, ctx: Context, group: str, query: RunSearch) -> tuple[RunViews, str | None]:
        """One page of matching runs, to be built one at a time (see RunViews), and the next
        page's cursor."""
        node = parse_filter(query.filter)
        order = [parse_order(entry) for entry in query.order_by]
        with self.db.query() as s:
            row = policy.require_group(s, ctx.principal, group, "run.read")
            experiment_ids = None
            if query.experiments is not None:
                found = exp_store.ids_by_names(s, row.id, query.experiments)
                unknown = sorted(set(query.experiments) - set(found))
                if unknown:
                    raise NotFound(f"experiment {unknown[0]!r} not found in {group!r}")
                experiment_ids = list(found.values())
            ids, nxt = search_store.search(
                s, row.id, experiment_ids, node, order, query.limit, query.cursor
            )
            return access.run_views(s, group, ids, Selection.of(query.fields)), nxt

    def compare(self, ctx: Context, group: str, run_ids: Sequence[str]) -> RunComparison:
        wanted = list(dict.fromkeys(run_ids))
        if not 1 <= len(wanted) <= MAX_COMPARE:
            raise InvalidInput(f"compare 1 to {MAX_COMPARE} runs", {"field": "ids"})
        with self.db.read() as s:
            row = policy.require_group(s, ctx.principal, group, "run.read")
            found = {r.uuid: r for r in run_store.by_uuids(s, row.id, wanted)}
            missing = [i for i in wanted if i not in found]
            if missing:
                raise NotFound(f"run {missing[0]} not found in {group!r}")
            runs = access.to_runs(s, group, [found[i].id for i in wanted])
        return _side_by_side(runs)


def _side_by_side(runs: list[Run]) -> RunComparison:
    param_keys = sorted({k for r in runs for k in r.params})
    metric_keys = sorted({k for r in runs for k in r.metrics})
    params = {k: [r.params.get(k) for r in runs] for k in param_keys}
    metrics = {
        k: [r.metrics[k]["value"] if k in r.metrics else None for r in runs] for k in metric_keys
    }
    differing = [k for k, values in params.items() if len(set(values)) > 1]
    return RunComparison.model_construct(
        runs=runs, params=params, metrics=metrics, differing_params=differing
    )
