import type { Dataset } from '../api';

/** "shared from <owner> (read-only)" for a dataset another group shares; nothing for the group's own. */
export function AccessBadge({ dataset }: { dataset: Dataset }) {
  if (!dataset.shared_from) return null;
  const access = dataset.access === 'write' ? 'read-write' : 'read-only';
  return (
    <span className={`tag tag-shared tag-${dataset.access}`} data-testid="shared-badge">
      shared from {dataset.shared_from} ({access})
    </span>
  );
}
