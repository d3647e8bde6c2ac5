import { formatPercent } from './format';

/** A workflow's progress (0 to 1), drawn and read out as a percentage. */
export function ProgressBar({ value, label }: { value: number; label: string }) {
  const clamped = Math.min(1, Math.max(0, value));
  return (
    <div className="progress" role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(clamped * 100)}>
      <div className="progress-track">
        <div className="progress-fill" style={{ width: formatPercent(clamped) }} />
      </div>
      <span className="progress-text">{formatPercent(clamped)}</span>
    </div>
  );
}
