import { useState, type FormEvent } from 'react';
import { PRESETS, type JobSubmit, type Preset, type Schedule, type ScheduleTiming } from '../api';
import { useAction } from '../hooks';
import { EMPTY_DRAFT, draftFrom, specFrom } from '../jobdraft';
import { ErrorBanner } from './ErrorBanner';
import { JobFields } from './JobFields';

export interface ScheduleValues extends ScheduleTiming {
  name: string;
  job: JobSubmit;
  enabled: boolean;
}

interface Props {
  group: string;
  /** The schedule being edited; its name cannot change. */
  schedule?: Schedule;
  submitLabel: string;
  onSave: (values: ScheduleValues) => Promise<unknown>;
  onCancel?: () => void;
}

const ZONES: string[] = Intl.supportedValuesOf('timeZone');
const HERE = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

/** A schedule's name, timing (a preset or a cron, in a timezone) and job template. */
export function ScheduleForm({ group, schedule, submitLabel, onSave, onCancel }: Props) {
  const [name, setName] = useState(schedule?.name ?? '');
  const [useCron, setUseCron] = useState(schedule ? schedule.preset === null : false);
  const [preset, setPreset] = useState<Preset>(schedule?.preset ?? 'daily');
  const [cron, setCron] = useState(schedule?.preset === null ? schedule.cron : '0 2 * * *');
  const [timezone, setTimezone] = useState(schedule?.timezone ?? HERE);
  const [enabled, setEnabled] = useState(schedule?.enabled ?? true);
  const [draft, setDraft] = useState(schedule ? draftFrom(schedule.job) : EMPTY_DRAFT);
  const action = useAction();

  const pickTiming = (value: string) => {
    setUseCron(value === 'cron');
    if (value !== 'cron') setPreset(value as Preset);
  };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    await action.run(() => {
      const job = specFrom({ ...draft, name: draft.name.trim() || name.trim() });
      const timing = useCron ? { cron: cron.trim() } : { preset };
      return onSave({ name: name.trim(), ...timing, timezone: timezone.trim(), job, enabled });
    });
  };

  return (
    <form className="stack" onSubmit={submit} aria-label={schedule ? `Edit ${schedule.name}` : 'Create schedule'}>
      <div className="grid-3">
        <label className="field">
          <span>Schedule name</span>
          <input name="schedule-name" required disabled={schedule !== undefined} placeholder="nightly" value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <label className="field">
          <span>Runs</span>
          <select name="timing" value={useCron ? 'cron' : preset} onChange={(e) => pickTiming(e.target.value)}>
            {PRESETS.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
            <option value="cron">on a cron expression…</option>
          </select>
        </label>
        <label className="field">
          <span>Timezone</span>
          <input name="timezone" list="timezones" required value={timezone} onChange={(e) => setTimezone(e.target.value)} />
          <datalist id="timezones">
            {ZONES.map((zone) => (
              <option key={zone} value={zone} />
            ))}
          </datalist>
        </label>
      </div>
      {useCron && (
        <label className="field">
          <span>Cron (minute hour day-of-month month day-of-week, e.g. 0 2 * * 1-5)</span>
          <input name="cron" className="mono" required value={cron} onChange={(e) => setCron(e.target.value)} />
        </label>
      )}
      {!schedule && (
        <label className="check">
          <input type="checkbox" name="enabled" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />
          Enabled (runs on its timetable from now on)
        </label>
      )}
      <h3>Job</h3>
      <JobFields group={group} draft={draft} onChange={setDraft} />
      <ErrorBanner message={action.error} onDismiss={action.clearError} />
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={action.busy}>
          {submitLabel}
        </button>
        {onCancel && (
          <button type="button" className="btn" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}
