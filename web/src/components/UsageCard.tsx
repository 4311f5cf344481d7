import { RESOURCES, getUsage, type Usage } from '../api';
import { useLoader } from '../hooks';
import { Card } from './Card';
import { ErrorBanner } from './ErrorBanner';
import { QuotaBar } from './QuotaBar';

function Bars({ usage }: { usage: Usage }) {
  return (
    <div className="grid-2">
      {RESOURCES.map((r) => (
        <QuotaBar key={r} resource={r} usage={usage.resources[r]} />
      ))}
    </div>
  );
}

/** The group's consumption of each quota resource. */
export function UsageCard({ group }: { group: string }) {
  const usage = useLoader(() => getUsage(group), group);
  return (
    <Card title="Quota usage">
      <ErrorBanner message={usage.error} />
      {usage.data && <Bars usage={usage.data} />}
      {!usage.data && !usage.error && <p className="muted">Loading usage…</p>}
    </Card>
  );
}
