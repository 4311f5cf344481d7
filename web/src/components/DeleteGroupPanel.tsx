import { deleteGroup, type GroupDeletion } from '../api';
import { useAction, useLoader } from '../hooks';
import { ErrorBanner } from './ErrorBanner';

interface Props {
  group: string;
  onDeleted: () => void;
  onCancel: () => void;
}

const LABELS: Record<keyof GroupDeletion['resources'], string> = {
  members: 'memberships',
  invitations: 'invitations',
  member_quotas: 'member quotas',
  reservations: 'quota reservations',
};

function DeletionPreview({ deletion }: { deletion: GroupDeletion }) {
  return (
    <>
      <p>This cannot be undone. It will also remove:</p>
      <ul className="deletion-list">
        {Object.entries(LABELS).map(([key, label]) => (
          <li key={key} data-resource={key}>
            <strong>{deletion.resources[key as keyof typeof LABELS]}</strong> {label}
          </li>
        ))}
      </ul>
    </>
  );
}

/** Shows what deleting a group would remove (a dry run) and asks for confirmation. */
export function DeleteGroupPanel({ group, onDeleted, onCancel }: Props) {
  const preview = useLoader(() => deleteGroup(group, true), group);
  const action = useAction();
  const confirm = () =>
    void action.run(async () => {
      await deleteGroup(group, false);
      onDeleted();
    });

  return (
    <div className="subpanel danger-zone" role="region" aria-label={`Delete group ${group}`}>
      <h3>Delete group {group}?</h3>
      <ErrorBanner message={preview.error ?? action.error} />
      {preview.data && <DeletionPreview deletion={preview.data} />}
      {!preview.data && !preview.error && <p className="muted">Checking what would be removed…</p>}
      <div className="form-actions">
        <button type="button" className="btn btn-danger" disabled={!preview.data || action.busy} onClick={confirm}>
          Delete group
        </button>
        <button type="button" className="btn" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </div>
  );
}
