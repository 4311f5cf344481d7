import { useMemo } from 'react';
import { Outlet } from 'react-router-dom';
import { getMe } from '../api';
import { useLoader } from '../hooks';
import { SessionContext } from '../session';
import { ErrorBanner } from './ErrorBanner';
import { Layout } from './Layout';

/** Loads the signed-in user (a 401 sends the browser to /login) and frames the page. */
export function RequireSession() {
  const me = useLoader(getMe, 'me');
  const session = useMemo(() => (me.data ? { me: me.data, refreshMe: me.reload } : null), [me.data, me.reload]);
  if (!session) {
    return (
      <div className="splash">
        {me.error ? <ErrorBanner message={me.error} /> : <p className="muted">Loading…</p>}
      </div>
    );
  }
  return (
    <SessionContext.Provider value={session}>
      <Layout>
        <Outlet />
      </Layout>
    </SessionContext.Provider>
  );
}
