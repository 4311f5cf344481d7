import { useState } from 'react';
import { useParams, useSearchParams } from 'react-router-dom';
import { getUsageReport, usageReportCsvUrl, type UsageLine, type UsageReport } from '../api';
import { Card } from '../components/Card';
import { ErrorBanner } from '../components/ErrorBanner';
import { GroupPageHeader } from '../components/GroupPageHeader';
import { HBarChart } from '../components/Charts';
import { MonthPicker } from '../components/MonthPicker';
import { Table, type Column } from '../components/Table';
import { currentMonth, formatHours } from '../format';
import { useLoader } from '../hooks';

const METRICS = {
  cpu_core_hours: { label: 'Core-hours', unit: 'core-h' },
  memory_gb_hours: { label: 'GB-hours', unit: 'GiB-h' },
  gpu_hours: { label: 'GPU-hours', unit: 'GPU-h' },
} as const;
type Metric = keyof typeof METRICS;

const who = (line: UsageLine) => line.user ?? '(deleted user)';

const COLUMNS: Column<UsageLine>[] = [
  { header: 'Group', render: (l) => l.group },
  { header: 'User', render: (l) => (l.user ? <span className="mono">{l.user}</span> : <span className="muted">{who(l)}</span>) },
  ...(Object.keys(METRICS) as Metric[]).map((m) => ({ header: METRICS[m].label, className: 'num', render: (l: UsageLine) => formatHours(l[m]) })),
  { header: 'Attempts', className: 'num', render: (l) => l.attempts },
];

function MetricSwitch({ value, onChange }: { value: Metric; onChange: (metric: Metric) => void }) {
  return (
    <div className="segmented" role="group" aria-label="Measure">
      {(Object.keys(METRICS) as Metric[]).map((m) => (
        <button key={m} type="button" className={m === value ? 'active' : ''} aria-pressed={m === value} onClick={() => onChange(m)}>
          {METRICS[m].label}
        </button>
      ))}
    </div>
  );
}

function Charts({ report, metric, allGroups }: { report: UsageReport; metric: Metric; allGroups: boolean }) {
  const { label, unit } = METRICS[metric];
  if (!report.lines.some((l) => l[metric] > 0)) {
    return <p className="empty-state">No {label.toLowerCase()} were held in {report.month}.</p>;
  }
  const several = new Set(report.lines.map((l) => l.group)).size > 1;
  const users = report.lines
    .filter((l) => l[metric] > 0)
    .map((l) => ({ label: several ? `${l.group} / ${who(l)}` : who(l), value: l[metric] }));
  const groups = report.groups.filter((g) => g[metric] > 0).map((g) => ({ label: g.group, value: g[metric] }));
  return (
    <div className={allGroups ? 'grid-2 align-start' : ''}>
      {allGroups && (
        <div>
          <h3>{label} per group</h3>
          <HBarChart title={`${label} per group`} data={groups} format={formatHours} unit={unit} />
        </div>
      )}
      <div>
        <h3>{label} per user</h3>
        <HBarChart title={`${label} per user`} data={users} format={formatHours} unit={unit} />
      </div>
    </div>
  );
}

/** `/g/:group/usage`: the monthly usage report of the group (or of all the caller's groups). */
export function UsagePage() {
  const group = useParams().group ?? '';
  const [params, setParams] = useSearchParams();
  const month = params.get('month') ?? currentMonth();
  const allGroups = params.get('scope') === 'all';
  const scopeGroup = allGroups ? undefined : group;
  const [metric, setMetric] = useState<Metric>('cpu_core_hours');
  const report = useLoader(() => getUsageReport(month, scopeGroup), `${month}/${scopeGroup ?? ''}`);
  const update = (patch: Record<string, string>) => setParams({ month, scope: allGroups ? 'all' : 'group', ...patch }, { replace: true });
  const data = report.data;

  return (
    <div className="page" key={group}>
      <GroupPageHeader
        group={group}
        title="Usage"
        description="Resources that jobs held (allocation-based), per group and user, by calendar month in UTC."
        actions={
          <a className="btn" href={usageReportCsvUrl(month, scopeGroup)} download>
            Download CSV
          </a>
        }
      />
      <div className="toolbar">
        <MonthPicker value={month} onChange={(m) => update({ month: m })} />
        <select aria-label="Scope" value={allGroups ? 'all' : 'group'} onChange={(e) => update({ scope: e.target.value })}>
          <option value="group">Group {group}</option>
          <option value="all">All groups I can see</option>
        </select>
        <MetricSwitch value={metric} onChange={setMetric} />
      </div>
      <ErrorBanner message={report.error} />
      <Card title={`Usage in ${month}`} actions={data && <span className="muted" data-testid="usage-scope">Covers {data.scope === 'all' ? 'every group' : data.scope}</span>}>
        {data ? <Charts report={data} metric={metric} allGroups={allGroups} /> : !report.error && <p className="muted">Loading…</p>}
        <Table label="Usage" columns={COLUMNS} rows={data?.lines} rowKey={(l) => `${l.group}/${l.user ?? ''}`} empty={`No job held resources in ${month}.`} loading={report.loading} />
      </Card>
    </div>
  );
}
