import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router-dom';
import { searchRuns } from '../api';
import { Card } from '../components/Card';
import { ColumnPicker } from '../components/ColumnPicker';
import { ErrorBanner } from '../components/ErrorBanner';
import { GroupPageHeader } from '../components/GroupPageHeader';
import { LoadMore } from '../components/LoadMore';
import { RunsTable } from '../components/RunsTable';
import { usePaged } from '../hooks';
import { compareUrl, experimentsUrl } from '../paths';
import { formatColumns, keysOf, parseColumns, parseOrder, type KeyColumn } from '../runcolumns';

const columnsKey = (group: string) => `atrium.run-columns.${group}`;

/** The filter box: the server's filter language, applied on Enter; its parse errors show below it. */
function FilterBox({ value, error, onApply }: { value: string; error: string | null; onApply: (filter: string) => void }) {
  const [draft, setDraft] = useState(value);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onApply(draft.trim());
  };
  return (
    <form className="filter-box" role="search" aria-label="Filter runs" onSubmit={submit}>
      <input
        className="mono grow"
        name="filter"
        aria-label="Filter"
        aria-invalid={error ? true : undefined}
        placeholder="metrics.acc > 0.9 and params.lr = '0.1'"
        value={draft}
        onChange={(e) => setDraft(e.target.value)}
      />
      <button type="submit" className="btn">
        Apply
      </button>
      {value && (
        <button
          type="button"
          className="btn"
          onClick={() => {
            setDraft('');
            onApply('');
          }}
        >
          Clear
        </button>
      )}
      {error && (
        <p className="filter-error" role="alert" data-testid="filter-error">
          {error}
        </p>
      )}
    </form>
  );
}

/**
 * `/g/:group/runs?experiment=&filter=&order=&cols=`: runs searched on the server with its filter
 * language and order, chosen metrics/params/tags columns, selection for comparing.
 */
export function RunsPage() {
  const group = useParams().group ?? '';
  // Keyed by the group: its chosen columns and selection start afresh in another group.
  return <RunsView key={group} group={group} />;
}

function RunsView({ group }: { group: string }) {
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const experiments = params.getAll('experiment');
  const filter = params.get('filter') ?? '';
  const orderText = params.get('order') ?? '';
  // Held here as well as in the address: the router applies address changes in a transition,
  // too late for a checkbox that must show its new state at once.
  const [keyColumns, setKeyColumns] = useState(() => parseColumns(params.get('cols') ?? localStorage.getItem(columnsKey(group)) ?? ''));
  const order = parseOrder(orderText);
  const runs = usePaged(
    (cursor) => searchRuns(group, { experiments, filter, orderBy: orderText ? [orderText] : [] }, cursor),
    JSON.stringify([group, experiments, filter, orderText]),
  );
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());

  const update = (patch: Record<string, string>) => {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(patch)) {
      if (value) next.set(key, value);
      else next.delete(key);
    }
    setParams(next, { replace: true });
  };
  const setColumns = (columns: KeyColumn[]) => {
    setKeyColumns(columns);
    localStorage.setItem(columnsKey(group), formatColumns(columns));
    update({ cols: formatColumns(columns) });
  };
  const sort = (field: string) => update({ order: order?.field === field && order.desc ? `${field} ASC` : `${field} DESC` });
  const select = (id: string, on: boolean) => {
    const next = new Set(selected);
    if (on) next.add(id);
    else next.delete(id);
    setSelected(next);
  };
  const invalidFilter = runs.error && filter ? runs.error : null;

  return (
    <div className="page">
      <div>
        <Link to={experimentsUrl(group)}>← Experiments</Link>
      </div>
      <GroupPageHeader
        group={group}
        title={experiments.length ? `Runs of ${experiments.join(', ')}` : 'Runs'}
        description="Pick columns, filter on metrics., params., tags. and attributes. with the search language, sort by clicking a column header."
        actions={
          <button type="button" className="btn btn-primary" disabled={selected.size < 2} onClick={() => navigate(compareUrl(group, [...selected]))}>
            Compare {selected.size || ''} runs
          </button>
        }
      />
      <div className="toolbar">
        <FilterBox key={filter} value={filter} error={invalidFilter} onApply={(f) => update({ filter: f })} />
        <ColumnPicker available={keysOf(runs.data ?? [])} chosen={keyColumns} onChange={setColumns} />
      </div>
      <Card title="Runs">
        {!invalidFilter && <ErrorBanner message={runs.error} />}
        <RunsTable
          group={group}
          runs={invalidFilter ? [] : runs.data}
          loading={runs.loading}
          showExperiment={experiments.length !== 1}
          keyColumns={keyColumns}
          order={order}
          onSort={sort}
          selected={selected}
          onSelect={select}
        />
        <LoadMore hasMore={!invalidFilter && runs.hasMore} onClick={runs.loadMore} />
      </Card>
    </div>
  );
}
