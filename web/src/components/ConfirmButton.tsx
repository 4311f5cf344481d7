import { useState } from 'react';

interface Props {
  label: string;
  question?: string;
  onConfirm: () => void;
  disabled?: boolean;
}

/** A destructive button that asks in place before acting: "Revoke" → "Revoke? Confirm / Cancel". */
export function ConfirmButton({ label, question = `${label}?`, onConfirm, disabled = false }: Props) {
  const [asking, setAsking] = useState(false);
  if (!asking) {
    return (
      <button type="button" className="btn btn-small btn-danger-quiet" disabled={disabled} onClick={() => setAsking(true)}>
        {label}
      </button>
    );
  }
  return (
    <span className="confirm">
      <span className="confirm-question">{question}</span>
      <button
        type="button"
        className="btn btn-small btn-danger"
        onClick={() => {
          setAsking(false);
          onConfirm();
        }}
      >
        Confirm
      </button>
      <button type="button" className="btn btn-small" onClick={() => setAsking(false)}>
        Cancel
      </button>
    </span>
  );
}
