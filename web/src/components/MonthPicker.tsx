import { shiftMonth } from '../format';

interface Props {
  value: string;
  onChange: (month: string) => void;
}

/** A calendar month ("2026-11") with previous / next buttons. */
export function MonthPicker({ value, onChange }: Props) {
  return (
    <div className="month-picker">
      <button type="button" className="btn" aria-label="Previous month" onClick={() => onChange(shiftMonth(value, -1))}>
        ‹
      </button>
      <input type="month" name="month" aria-label="Month" required value={value} onChange={(e) => e.target.value && onChange(e.target.value)} />
      <button type="button" className="btn" aria-label="Next month" onClick={() => onChange(shiftMonth(value, 1))}>
        ›
      </button>
    </div>
  );
}
