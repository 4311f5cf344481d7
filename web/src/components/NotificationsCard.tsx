import { useState } from 'react';
import {
  createChannel,
  deleteChannel,
  listChannels,
  listDeliveries,
  rotateChannelSecret,
  testChannel,
  updateChannel,
  type ChannelCreate,
  type NewNotificationChannel,
  type NotificationChannel,
  type NotificationDelivery,
} from '../api';
import { formatDate } from '../format';
import { useAction, useLoader, usePaged } from '../hooks';
import { useSession } from '../session';
import { Card } from './Card';
import { ChannelForm } from './ChannelForm';
import { ConfirmButton } from './ConfirmButton';
import { ErrorBanner } from './ErrorBanner';
import { EventChecks } from './EventChecks';
import { LoadMore } from './LoadMore';
import { Notice } from './Notice';
import { OneTimeSecret } from './OneTimeSecret';
import { Table, type Column } from './Table';

const DELIVERY_COLUMNS: Column<NotificationDelivery>[] = [
  { header: 'Created', render: (d) => formatDate(d.created_at) },
  { header: 'Event', render: (d) => <span className="mono">{d.event}</span> },
  { header: 'Job', render: (d) => (d.job_id === null ? '—' : `#${d.job_id}`) },
  { header: 'Status', render: (d) => <span className={`tag delivery-${d.status}`}>{d.status}</span> },
  { header: 'Attempts', className: 'num', render: (d) => d.attempts },
  { header: 'Last error', render: (d) => d.last_error ?? '—' },
];

const target = (c: NotificationChannel) => c.url ?? c.address ?? c.id;

function Deliveries({ channel }: { channel: NotificationChannel }) {
  const deliveries = usePaged((cursor) => listDeliveries(channel.id, cursor), channel.id);
  return (
    <div className="subpanel">
      <h3>Deliveries to {target(channel)}</h3>
      <ErrorBanner message={deliveries.error} />
      <Table label="Deliveries" columns={DELIVERY_COLUMNS} rows={deliveries.data} rowKey={(d) => d.id} empty="Nothing sent yet." loading={deliveries.loading} />
      <LoadMore hasMore={deliveries.hasMore} onClick={deliveries.loadMore} />
    </div>
  );
}

const where = (c: NotificationChannel) => (
  <>
    <span className="tag">{c.kind}</span> <span className="mono">{target(c)}</span>
  </>
);

/** The user's own channels: a signed webhook or e-mail when one of their jobs ends. */
export function NotificationsCard() {
  const { me } = useSession();
  const channels = useLoader(listChannels, 'notification-channels');
  const action = useAction();
  const [secret, setSecret] = useState<NewNotificationChannel | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [open, setOpen] = useState<NotificationChannel | null>(null);

  const mutate = (mutation: () => Promise<unknown>) => {
    setNotice(null);
    return action.run(mutation).finally(channels.reload);
  };
  const create = (channel: ChannelCreate) => mutate(async () => setSecret(await createChannel(channel)));
  const test = (c: NotificationChannel) =>
    void mutate(async () => {
      const delivery = await testChannel(c.id);
      setNotice(delivery.status === 'sent' ? 'Test event delivered.' : `Test event not delivered yet: ${delivery.last_error ?? delivery.status}`);
      setOpen(c);
    });

  const columns: Column<NotificationChannel>[] = [
    { header: 'Channel', render: where },
    {
      header: 'Job ends',
      render: (c) => <EventChecks label={`Events of ${target(c)}`} value={c.events} onChange={(events) => void mutate(() => updateChannel(c.id, { events }))} />,
    },
    {
      header: 'Group',
      render: (c) => (
        <select aria-label={`Group of ${target(c)}`} value={c.group ?? ''} onChange={(e) => void mutate(() => updateChannel(c.id, { group: e.target.value || null }))}>
          <option value="">any</option>
          {me.groups.map((g) => (
            <option key={g.name} value={g.name}>
              {g.name}
            </option>
          ))}
        </select>
      ),
    },
    { header: 'Secret', render: (c) => (c.secret_prefix ? <span className="mono">{c.secret_prefix}…</span> : '—') },
    {
      header: 'On',
      render: (c) => (
        <input type="checkbox" aria-label={`Enabled: ${target(c)}`} checked={c.enabled} onChange={(e) => void mutate(() => updateChannel(c.id, { enabled: e.target.checked }))} />
      ),
    },
    {
      header: 'Actions',
      className: 'actions',
      render: (c) => (
        <>
          <button type="button" className="btn btn-small" onClick={() => test(c)}>
            Send test
          </button>
          <button type="button" className="btn btn-small" onClick={() => setOpen(open?.id === c.id ? null : c)}>
            Deliveries
          </button>
          {c.kind === 'webhook' && <ConfirmButton label="Rotate secret" onConfirm={() => void mutate(async () => setSecret(await rotateChannelSecret(c.id)))} />}
          <ConfirmButton label="Delete" question="Delete this channel?" onConfirm={() => void mutate(() => deleteChannel(c.id))} />
        </>
      ),
    },
  ];

  return (
    <Card title="Job notifications">
      <p className="muted">Hear when your jobs end: a signed webhook (HMAC-SHA256) or an e-mail. Only you see your channels.</p>
      <ErrorBanner message={channels.error ?? action.error} onDismiss={action.clearError} />
      <Notice>{notice}</Notice>
      <ChannelForm busy={action.busy} onCreate={create} />
      {secret?.secret && (
        <OneTimeSecret title="Webhook signing secret" value={secret.secret} testId="webhook-secret" onDone={() => setSecret(null)}>
          <p className="muted">Verify each request's X-Atrium-Signature with it (see the notifications docs).</p>
        </OneTimeSecret>
      )}
      <Table label="Notification channels" columns={columns} rows={channels.data?.items} rowKey={(c) => c.id} empty="No channels: you are not notified of anything." loading={channels.loading} />
      {open && <Deliveries key={`${open.id}/${notice ?? ''}`} channel={open} />}
    </Card>
  );
}
