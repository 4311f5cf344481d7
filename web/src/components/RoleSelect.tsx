import type { Role } from '../api';

interface Props {
  value: Role;
  onChange: (role: Role) => void;
  name?: string;
  label?: string;
  disabled?: boolean;
}

/** Picks a group role: member or admin. */
export function RoleSelect({ value, onChange, name, label, disabled = false }: Props) {
  return (
    <select
      name={name}
      aria-label={label}
      value={value}
      disabled={disabled}
      onChange={(e) => onChange(e.target.value as Role)}
    >
      <option value="member">member</option>
      <option value="admin">admin</option>
    </select>
  );
}
