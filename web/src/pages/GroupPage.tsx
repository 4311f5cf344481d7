import { useParams } from 'react-router-dom';
import { getGroup, type Group } from '../api';
import { ErrorBanner } from '../components/ErrorBanner';
import { InvitationsCard } from '../components/InvitationsCard';
import { MembersCard } from '../components/MembersCard';
import { UsageCard } from '../components/UsageCard';
import { useLoader } from '../hooks';
import { canManageGroup, useSession } from '../session';

function GroupHeader({ group }: { group: Group }) {
  return (
    <div className="page-header">
      <div>
        <div className="eyebrow">Group</div>
        <h1>
          {group.display_name || group.name} <span className="mono muted" data-testid="group-name">{group.name}</span>
        </h1>
        {group.description && <p className="muted">{group.description}</p>}
      </div>
      <div className="stats">
        <div>
          <div className="stat-value">{group.member_count}</div>
          <div className="stat-label">members</div>
        </div>
        <div>
          <div className="stat-value">{group.my_role ?? '—'}</div>
          <div className="stat-label">your role</div>
        </div>
      </div>
    </div>
  );
}

/** `/g/:group`: the group's description, quota usage, members and invitations. */
export function GroupPage() {
  const name = useParams().group ?? '';
  const { me } = useSession();
  const group = useLoader(() => getGroup(name), name);
  if (!group.data || group.data.name !== name) {
    return (
      <div className="page">
        <ErrorBanner message={group.error} />
        {!group.error && <p className="muted">Loading {name}…</p>}
      </div>
    );
  }
  const manage = canManageGroup(me, group.data.my_role);
  return (
    <div className="page" key={name}>
      <GroupHeader group={group.data} />
      <UsageCard group={name} />
      <MembersCard group={name} manage={manage} onChanged={group.reload} />
      {manage && <InvitationsCard group={name} />}
    </div>
  );
}
