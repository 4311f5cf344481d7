import type { ReactNode } from 'react';
import { Link } from 'react-router-dom';
import type { Run } from '../api';
import { elapsed, formatDate } from '../format';
import { cellOf, fieldOf, type KeyColumn } from '../runcolumns';
import { runUrl } from '../paths';
import { RunStatusBadge } from './RunStatusBadge';

interface Column {
  header: string;
  /** The search field the column sorts by; none when it does not sort. */
  field?: string;
  className?: string;
  render: (run: Run) => ReactNode;
}

interface Props {
  group: string;
  runs: Run[] | undefined;
  loading: boolean;
  showExperiment: boolean;
  keyColumns: KeyColumn[];
  order: { field: string; desc: boolean } | null;
  onSort: (field: string) => void;
  selected: ReadonlySet<string>;
  onSelect: (id: string, on: boolean) => void;
}

function baseColumns(group: string, showExperiment: boolean): Column[] {
  return [
    { header: 'Run', field: 'attributes.name', render: (r) => <Link to={runUrl(group, r.id)}>{r.name}</Link> },
    { header: 'Status', field: 'attributes.status', render: (r) => <RunStatusBadge status={r.status} /> },
    ...(showExperiment ? [{ header: 'Experiment', field: 'attributes.experiment', render: (r: Run) => r.experiment }] : []),
    { header: 'User', field: 'attributes.user', render: (r) => r.user ?? '—' },
    { header: 'Started', field: 'attributes.start_time', render: (r) => formatDate(r.start_time) },
    { header: 'Duration', className: 'num', render: (r) => elapsed(r.start_time, r.end_time) },
  ];
}

function SortHeader({ column, order, onSort }: { column: Column; order: Props['order']; onSort: (field: string) => void }) {
  const field = column.field;
  if (!field) return <th className={column.className}>{column.header}</th>;
  const active = order?.field === field;
  const sort = active ? (order.desc ? 'descending' : 'ascending') : 'none';
  return (
    <th className={column.className} aria-sort={sort}>
      <button type="button" className="sort-button" onClick={() => onSort(field)}>
        {column.header}
        <span aria-hidden="true">{active ? (order.desc ? ' ▼' : ' ▲') : ''}</span>
      </button>
    </th>
  );
}

/** Runs with their chosen metrics, params and tags columns; headers sort on the server, rows select for comparing. */
export function RunsTable({ group, runs, loading, showExperiment, keyColumns, order, onSort, selected, onSelect }: Props) {
  const columns: Column[] = [
    ...baseColumns(group, showExperiment),
    ...keyColumns.map((c) => ({
      header: `${c.kind}.${c.key}`,
      field: fieldOf(c),
      className: c.kind === 'metrics' ? 'num mono' : 'mono',
      render: (r: Run) => cellOf(r, c),
    })),
  ];
  return (
    <div className="table-wrap">
      <table aria-label="Runs" className="runs-table">
        <thead>
          <tr>
            <th className="select-cell">
              <span className="visually-hidden">Select</span>
            </th>
            {columns.map((column) => (
              <SortHeader key={column.header} column={column} order={order} onSort={onSort} />
            ))}
          </tr>
        </thead>
        <tbody>
          {runs?.map((run) => (
            <tr key={run.id} data-key={run.id}>
              <td className="select-cell">
                <input type="checkbox" aria-label={`Select ${run.name}`} checked={selected.has(run.id)} onChange={(e) => onSelect(run.id, e.target.checked)} />
              </td>
              {columns.map((column) => (
                <td key={column.header} className={column.className}>
                  {column.render(run)}
                </td>
              ))}
            </tr>
          ))}
          {(!runs || runs.length === 0) && (
            <tr>
              <td className="table-empty" colSpan={columns.length + 1}>
                {loading || !runs ? 'Loading…' : 'No runs match.'}
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
