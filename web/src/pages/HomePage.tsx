import { Link, Navigate } from 'react-router-dom';
import { useSession } from '../session';

/** `/`: the first group's home, or an explanation when the user belongs to no group. */
export function HomePage() {
  const { me } = useSession();
  const first = me.groups[0];
  if (first) return <Navigate to={`/g/${encodeURIComponent(first.name)}`} replace />;
  return (
    <div className="page">
      <h1>No group yet</h1>
      <div className="card">
        <div className="card-body">
          <p>You are not a member of any group.</p>
          {me.is_admin ? (
            <p>
              As a platform administrator you can <Link to="/admin/groups">create a group</Link> and add
              members to it.
            </p>
          ) : (
            <p className="muted">Ask a group administrator for an invitation or to add you to their group.</p>
          )}
        </div>
      </div>
    </div>
  );
}
