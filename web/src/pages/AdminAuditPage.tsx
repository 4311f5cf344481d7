import { useState, type FormEvent } from 'react';
import { listAudit, type AuditEvent, type AuditFilter } from '../api';
import { Card } from '../components/Card';
import { ErrorBanner } from '../components/ErrorBanner';
import { LoadMore } from '../components/LoadMore';
import { Table, type Column } from '../components/Table';
import { formatDate } from '../format';
import { usePaged } from '../hooks';

const FILTERS = ['group', 'actor', 'action'] as const;
const NO_FILTER: Required<AuditFilter> = { group: '', actor: '', action: '' };

function details(event: AuditEvent): string {
  if (event.details === null || event.details === undefined) return '';
  return typeof event.details === 'string' ? event.details : JSON.stringify(event.details);
}

const COLUMNS: Column<AuditEvent>[] = [
  { header: 'Time', render: (e) => formatDate(e.time) },
  { header: 'Actor', render: (e) => e.actor ?? 'anonymous' },
  { header: 'Action', render: (e) => <span className="mono">{e.action}</span> },
  { header: 'Resource', render: (e) => [e.resource_type, e.resource_id].filter(Boolean).join(' ') || '—' },
  { header: 'Group', render: (e) => e.group ?? '—' },
  { header: 'Outcome', render: (e) => <span className={`tag tag-${e.outcome}`}>{e.outcome}</span> },
  { header: 'Client', render: (e) => e.client_addr ?? '—' },
  { header: 'Details', render: (e) => <span className="details-cell" title={details(e)}>{details(e)}</span> },
];

function FilterForm({ onApply }: { onApply: (filter: Required<AuditFilter>) => void }) {
  const [draft, setDraft] = useState(NO_FILTER);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onApply({ group: draft.group.trim(), actor: draft.actor.trim(), action: draft.action.trim() });
  };
  return (
    <form className="inline-form" onSubmit={submit} aria-label="Filter audit events">
      {FILTERS.map((key) => (
        <input key={key} name={key} placeholder={key} value={draft[key]} onChange={(e) => setDraft({ ...draft, [key]: e.target.value })} />
      ))}
      <button type="submit" className="btn btn-primary">
        Apply filters
      </button>
      <button
        type="button"
        className="btn"
        onClick={() => {
          setDraft(NO_FILTER);
          onApply(NO_FILTER);
        }}
      >
        Clear
      </button>
    </form>
  );
}

/** `/admin/audit`: who did what, newest first, filterable and paged. */
export function AdminAuditPage() {
  const [filter, setFilter] = useState(NO_FILTER);
  const events = usePaged((cursor) => listAudit(filter, cursor), JSON.stringify(filter));
  return (
    <div className="page">
      <h1>Audit log</h1>
      <Card title="Events" actions={<button type="button" className="btn btn-small" onClick={events.reload}>Refresh</button>}>
        <FilterForm onApply={setFilter} />
        <ErrorBanner message={events.error} />
        <Table label="Audit events" columns={COLUMNS} rows={events.data} rowKey={(e) => String(e.id)} empty="No events match." loading={events.loading} />
        <LoadMore hasMore={events.hasMore} onClick={events.loadMore} />
      </Card>
    </div>
  );
}
