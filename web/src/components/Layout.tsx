import type { ReactNode } from 'react';
import { NavLink, useMatch, useNavigate } from 'react-router-dom';
import { logout } from '../api';
import { useSession } from '../session';
import { GroupSwitcher } from './GroupSwitcher';
import { Brand } from './Brand';

/** `also`: other sections the link stands for (runs belong to experiments). */
const GROUP_LINKS: { section: string; label: string; also?: string }[] = [
  { section: 'jobs', label: 'Jobs' },
  { section: 'schedules', label: 'Schedules' },
  { section: 'datasets', label: 'Datasets' },
  { section: 'experiments', label: 'Experiments', also: 'runs' },
  { section: 'models', label: 'Models' },
  { section: 'secrets', label: 'Secrets' },
  { section: 'usage', label: 'Usage' },
];

const ADMIN_LINKS = [
  { to: '/admin/users', label: 'Users' },
  { to: '/admin/groups', label: 'Groups' },
  { to: '/admin/instance-types', label: 'Instance types' },
  { to: '/admin/audit', label: 'Audit log' },
];

function navClass({ isActive }: { isActive: boolean }): string {
  return isActive ? 'nav-link active' : 'nav-link';
}

function Sidebar({ group }: { group: string | null }) {
  const { me } = useSession();
  const section = useMatch('/g/:group/:section/*')?.params.section;
  return (
    <nav className="sidebar" aria-label="Main">
      <Brand />
      <div className="nav-section">Workspace</div>
      {group && (
        <>
          <NavLink to={`/g/${encodeURIComponent(group)}`} end className={navClass}>
            Group overview
          </NavLink>
          {GROUP_LINKS.map((link) => (
            <NavLink
              key={link.section}
              to={`/g/${encodeURIComponent(group)}/${link.section}`}
              className={({ isActive }) => navClass({ isActive: isActive || (!!link.also && link.also === section) })}
            >
              {link.label}
            </NavLink>
          ))}
        </>
      )}
      <NavLink to="/profile" className={navClass}>
        Profile &amp; tokens
      </NavLink>
      {me.is_admin && (
        <>
          <div className="nav-section">Administration</div>
          {ADMIN_LINKS.map((link) => (
            <NavLink key={link.to} to={link.to} className={navClass}>
              {link.label}
            </NavLink>
          ))}
        </>
      )}
    </nav>
  );
}

function TopBar({ group }: { group: string | null }) {
  const { me } = useSession();
  const navigate = useNavigate();
  const signOut = () => {
    logout()
      .catch(() => undefined)
      .finally(() => navigate('/login', { replace: true }));
  };
  return (
    <header className="topbar">
      <GroupSwitcher groups={me.groups} current={group} />
      <div className="topbar-right">
        <span className="whoami" data-testid="current-user">
          {me.display_name || me.username}
          {me.is_admin && <span className="tag">admin</span>}
        </span>
        <button type="button" className="btn" onClick={signOut}>
          Sign out
        </button>
      </div>
    </header>
  );
}

/** The signed-in frame: sidebar, top bar with the group switcher, and the page. */
export function Layout({ children }: { children: ReactNode }) {
  const { me } = useSession();
  const match = useMatch('/g/:group/*');
  const group = match?.params.group ?? me.groups[0]?.name ?? null;
  return (
    <div className="shell">
      <Sidebar group={group} />
      <div className="main">
        <TopBar group={match?.params.group ?? null} />
        <main className="content">{children}</main>
      </div>
    </div>
  );
}
