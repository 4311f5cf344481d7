import { useState, type FormEvent } from 'react';
import type { ChannelCreate, ChannelKind, JobEnd } from '../api';
import { useSession } from '../session';
import { EventChecks } from './EventChecks';

const DEFAULT_EVENTS: JobEnd[] = ['failed', 'cancelled', 'timed_out'];

interface Props {
  busy: boolean;
  onCreate: (channel: ChannelCreate) => Promise<boolean>;
}

/** A new webhook or e-mail channel: where to, which job ends, which group. */
export function ChannelForm({ busy, onCreate }: Props) {
  const { me } = useSession();
  const [kind, setKind] = useState<ChannelKind>('webhook');
  const [target, setTarget] = useState('');
  const [events, setEvents] = useState<JobEnd[]>(DEFAULT_EVENTS);
  const [group, setGroup] = useState('');

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const where = target.trim();
    const channel: ChannelCreate = { kind, events, group: group || undefined };
    if (kind === 'webhook') channel.url = where;
    else if (where) channel.address = where;
    if (await onCreate(channel)) setTarget('');
  };

  return (
    <form className="stack" onSubmit={submit} aria-label="Add notification channel">
      <div className="inline-form">
        <select name="channel-kind" aria-label="Kind" value={kind} onChange={(e) => setKind(e.target.value as ChannelKind)}>
          <option value="webhook">Webhook</option>
          <option value="email">E-mail</option>
        </select>
        <input
          name="channel-target"
          className="grow"
          type={kind === 'webhook' ? 'url' : 'email'}
          required={kind === 'webhook'}
          aria-label={kind === 'webhook' ? 'Webhook URL' : 'E-mail address'}
          placeholder={kind === 'webhook' ? 'https://…' : `address (default: ${me.email ?? 'your account e-mail'})`}
          value={target}
          onChange={(e) => setTarget(e.target.value)}
        />
        <select name="channel-group" aria-label="Group" value={group} onChange={(e) => setGroup(e.target.value)}>
          <option value="">jobs in any group</option>
          {me.groups.map((g) => (
            <option key={g.name} value={g.name}>
              only {g.name}
            </option>
          ))}
        </select>
      </div>
      <div className="inline-form">
        <span className="muted">When a job of mine</span>
        <EventChecks label="Events" value={events} onChange={setEvents} />
        <button type="submit" className="btn btn-primary" disabled={busy}>
          Add channel
        </button>
      </div>
    </form>
  );
}
