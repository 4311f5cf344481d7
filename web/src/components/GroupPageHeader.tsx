import type { ReactNode } from 'react';

interface Props {
  group: string;
  title: ReactNode;
  description?: ReactNode;
  actions?: ReactNode;
}

/** The header of a page inside a group: "Group <name>" above the title, actions on the right. */
export function GroupPageHeader({ group, title, description, actions }: Props) {
  return (
    <div className="page-header">
      <div>
        <div className="eyebrow">Group {group}</div>
        <h1>{title}</h1>
        {description && <p className="muted">{description}</p>}
      </div>
      {actions && <div className="page-actions">{actions}</div>}
    </div>
  );
}
