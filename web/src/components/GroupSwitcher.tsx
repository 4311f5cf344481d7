import { useMatch, useNavigate } from 'react-router-dom';
import type { GroupRef } from '../api';

interface Props {
  groups: GroupRef[];
  current: string | null;
}

/** The top-bar group picker: choosing a group opens the same section (jobs, datasets, …) there. */
export function GroupSwitcher({ groups, current }: Props) {
  const navigate = useNavigate();
  const section = useMatch('/g/:group/:section/*')?.params.section;
  const open = (group: string) => navigate(`/g/${encodeURIComponent(group)}${section ? `/${section}` : ''}`);
  const known = groups.some((g) => g.name === current);
  return (
    <label className="switcher">
      <span className="switcher-label">Group</span>
      <select
        aria-label="Group"
        value={current ?? ''}
        onChange={(e) => open(e.target.value)}
      >
        {current === null && (
          <option value="" disabled>
            {groups.length ? 'Choose a group…' : 'No groups'}
          </option>
        )}
        {current !== null && !known && <option value={current}>{current}</option>}
        {groups.map((g) => (
          <option key={g.name} value={g.name}>
            {g.display_name ? `${g.display_name} (${g.name})` : g.name}
          </option>
        ))}
      </select>
    </label>
  );
}
