import type { Resource, UsageItem } from '../api';
import { RESOURCE_LABELS, formatAmount } from '../format';

interface Props {
  resource: Resource;
  usage: UsageItem;
}

function level(ratio: number): string {
  if (ratio >= 0.9) return 'bar-fill bar-high';
  if (ratio >= 0.75) return 'bar-fill bar-warn';
  return 'bar-fill';
}

/** One resource's usage against its limit; a null limit is shown as unlimited. */
export function QuotaBar({ resource, usage }: Props) {
  const { used, limit } = usage;
  const ratio = limit === null ? 0 : limit === 0 ? (used > 0 ? 1 : 0) : Math.min(used / limit, 1);
  const limitText = limit === null ? 'unlimited' : formatAmount(resource, limit);
  const label = RESOURCE_LABELS[resource];
  return (
    <div className="quota" data-resource={resource}>
      <div className="quota-head">
        <span className="quota-label">{label}</span>
        <span className="quota-value">
          {formatAmount(resource, used)} / {limitText}
        </span>
      </div>
      <div
        className={limit === null ? 'bar bar-unlimited' : 'bar'}
        role="meter"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={limit ?? undefined}
        aria-valuenow={used}
        aria-valuetext={`${formatAmount(resource, used)} of ${limitText}`}
      >
        {limit !== null && <div className={level(ratio)} style={{ width: `${ratio * 100}%` }} />}
      </div>
    </div>
  );
}
