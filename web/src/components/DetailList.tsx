import type { ReactNode } from 'react';

/** Terms and their values, one per line. */
export function DetailList({ rows, testId }: { rows: [string, ReactNode][]; testId?: string }) {
  return (
    <dl className="details" data-testid={testId}>
      {rows.map(([term, value]) => (
        <div key={term}>
          <dt>{term}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
