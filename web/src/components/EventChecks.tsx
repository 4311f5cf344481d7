import { JOB_ENDS, type JobEnd } from '../api';

interface Props {
  value: JobEnd[];
  onChange: (events: JobEnd[]) => void;
  /** Names the group of boxes: "Events", or "Events of <channel>". */
  label: string;
}

/** One checkbox per way a job can end. */
export function EventChecks({ value, onChange, label }: Props) {
  const toggle = (event: JobEnd, on: boolean) => onChange(JOB_ENDS.filter((e) => (e === event ? on : value.includes(e))));
  return (
    <span className="check-list" role="group" aria-label={label}>
      {JOB_ENDS.map((event) => (
        <label key={event} className="check">
          <input type="checkbox" checked={value.includes(event)} onChange={(e) => toggle(event, e.target.checked)} />
          {event.replace('_', ' ')}
        </label>
      ))}
    </span>
  );
}
