import { useState, type ReactNode } from 'react';

interface Props {
  title: string;
  value: string;
  testId: string;
  onDone: () => void;
  children?: ReactNode;
}

/** Shows a secret the server returns only once (API token, invitation link), with a copy button. */
export function OneTimeSecret({ title, value, testId, onDone, children }: Props) {
  const [copied, setCopied] = useState(false);
  const copy = () => {
    navigator.clipboard.writeText(value).then(
      () => setCopied(true),
      () => setCopied(false),
    );
  };
  return (
    <div className="secret" role="status">
      <div className="secret-title">{title}</div>
      <p className="muted">Copy it now: it will not be shown again.</p>
      <div className="secret-row">
        <code data-testid={testId}>{value}</code>
        <button type="button" className="btn btn-small" onClick={copy}>
          {copied ? 'Copied' : 'Copy'}
        </button>
        <button type="button" className="btn btn-small" onClick={onDone}>
          Done
        </button>
      </div>
      {children}
    </div>
  );
}
