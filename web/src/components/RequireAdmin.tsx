import type { ReactNode } from 'react';
import { useSession } from '../session';

/** Platform-admin pages: others see a short explanation instead. */
export function RequireAdmin({ children }: { children: ReactNode }) {
  const { me } = useSession();
  if (!me.is_admin) {
    return (
      <div className="page">
        <h1>Not available</h1>
        <p className="muted">This page is for platform administrators.</p>
      </div>
    );
  }
  return <>{children}</>;
}
