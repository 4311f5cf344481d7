import type { ReactNode } from 'react';

/** A calm confirmation that something worked. */
export function Notice({ children }: { children: ReactNode }) {
  if (!children) return null;
  return (
    <div className="banner banner-ok" role="status">
      {children}
    </div>
  );
}
