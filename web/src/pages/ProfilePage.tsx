import type { ReactNode } from 'react';
import { Link } from 'react-router-dom';
import { Card } from '../components/Card';
import { DetailList } from '../components/DetailList';
import { NotificationsCard } from '../components/NotificationsCard';
import { PasswordForm } from '../components/PasswordForm';
import { TokensCard } from '../components/TokensCard';
import { formatDate } from '../format';
import { useSession } from '../session';

function UserInfo() {
  const { me } = useSession();
  const rows: [string, ReactNode][] = [
    ['Username', <span className="mono">{me.username}</span>],
    ['Name', me.display_name || '—'],
    ['Email', me.email || '—'],
    ['Platform admin', me.is_admin ? 'yes' : 'no'],
    ['Member since', formatDate(me.created_at)],
    [
      'Groups',
      me.groups.length
        ? me.groups.map((g) => (
            <Link key={g.name} className="chip" to={`/g/${encodeURIComponent(g.name)}`}>
              {g.name} · {g.role}
            </Link>
          ))
        : 'none',
    ],
  ];
  return <DetailList rows={rows} />;
}

/** `/profile`: who you are, your password, your API tokens and your job notifications. */
export function ProfilePage() {
  return (
    <div className="page">
      <h1>Profile</h1>
      <div className="grid-2 align-start">
        <Card title="Account">
          <UserInfo />
        </Card>
        <Card title="Change password">
          <PasswordForm />
        </Card>
      </div>
      <TokensCard />
      <NotificationsCard />
    </div>
  );
}
