import { useState, type FormEvent } from 'react';
import { createToken, listTokens, revokeToken, type NewToken, type Token } from '../api';
import { formatDate } from '../format';
import { useAction, useLoader } from '../hooks';
import { Card } from './Card';
import { ConfirmButton } from './ConfirmButton';
import { ErrorBanner } from './ErrorBanner';
import { OneTimeSecret } from './OneTimeSecret';
import { Table, type Column } from './Table';

function TokenForm({ busy, onCreate }: { busy: boolean; onCreate: (name: string, days?: number) => Promise<boolean> }) {
  const [name, setName] = useState('');
  const [days, setDays] = useState('');
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (await onCreate(name.trim(), days ? Number(days) : undefined)) {
      setName('');
      setDays('');
    }
  };
  return (
    <form className="inline-form" onSubmit={submit} aria-label="Create token">
      <input name="token-name" placeholder="token name, e.g. laptop" required value={name} onChange={(e) => setName(e.target.value)} />
      <input name="token-expiry-days" type="number" min={1} placeholder="expiry days (optional)" value={days} onChange={(e) => setDays(e.target.value)} />
      <button type="submit" className="btn btn-primary" disabled={busy}>
        Create token
      </button>
    </form>
  );
}

/** The user's API tokens: list, create (plaintext shown once) and revoke. */
export function TokensCard() {
  const tokens = useLoader(listTokens, 'tokens');
  const [created, setCreated] = useState<NewToken | null>(null);
  const action = useAction();

  const create = (name: string, days?: number) =>
    action.run(async () => {
      setCreated(await createToken(name, days));
      tokens.reload();
    });
  const revoke = (token: Token) =>
    void action.run(async () => {
      await revokeToken(token.id);
      tokens.reload();
    });

  const columns: Column<Token>[] = [
    { header: 'Name', render: (t) => t.name },
    { header: 'Prefix', render: (t) => <span className="mono">{t.prefix}…</span> },
    { header: 'Created', render: (t) => formatDate(t.created_at) },
    { header: 'Expires', render: (t) => (t.expires_at ? formatDate(t.expires_at) : 'never') },
    { header: 'Last used', render: (t) => (t.last_used_at ? formatDate(t.last_used_at) : 'never') },
    {
      header: 'Actions',
      className: 'actions',
      render: (t) => <ConfirmButton label="Revoke" question={`Revoke ${t.name}?`} onConfirm={() => revoke(t)} />,
    },
  ];

  return (
    <Card title="API tokens">
      <p className="muted">Tokens let the CLI and SDK act as you. Send one as <code>Authorization: Bearer …</code>.</p>
      <ErrorBanner message={tokens.error ?? action.error} onDismiss={action.clearError} />
      <TokenForm busy={action.busy} onCreate={create} />
      {created && (
        <OneTimeSecret title={`New token “${created.name}”`} value={created.token} testId="new-token" onDone={() => setCreated(null)} />
      )}
      <Table label="API tokens" columns={columns} rows={tokens.data?.items} rowKey={(t) => t.id} empty="No tokens yet." loading={tokens.loading} />
    </Card>
  );
}
