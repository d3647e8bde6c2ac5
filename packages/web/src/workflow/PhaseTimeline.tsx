import { memo } from 'react';
import { formatDateTime } from '../ui/format';
import type { PhaseStanding, PhaseView } from './workflow-view';

const STANDING_TEXT: Readonly<Record<PhaseStanding, string>> = {
  pending: 'not started',
  current: 'current, waiting to run',
  running: 'running',
  answered: 'answered, waiting to be accepted or run again',
  'awaiting-approval': 'waiting for approval',
  done: 'done',
  cancelled: 'cancelled',
};

/**
 * The six phases in order, each with where it stands; updated live as events arrive. A screen
 * reader hears one line when the current phase changes standing, not the whole list again.
 */
export const PhaseTimeline = memo(function PhaseTimeline({ phases }: { phases: PhaseView[] }) {
  const current = phases.find((p) => p.standing !== 'done' && p.standing !== 'pending');
  return (
    <section aria-labelledby="timeline-heading" className="card">
      <h2 id="timeline-heading">Phases</h2>
      <p className="visually-hidden" role="status">
        {current ? `${current.phase}: ${STANDING_TEXT[current.standing]}` : phases.every((p) => p.standing === 'done') ? 'Every phase is done' : ''}
      </p>
      <ol className="timeline">
        {phases.map((p) => (
          <li
            key={p.phase}
            className={`phase phase-${p.standing}`}
            aria-current={p.standing === 'current' || p.standing === 'running' || p.standing === 'awaiting-approval' ? 'step' : undefined}
            data-phase={p.phase}
            data-standing={p.standing}
          >
            <span className="phase-marker" aria-hidden="true" />
            <span className="phase-name">{p.phase}</span>
            <span className="phase-role">{p.role}</span>
            <span className="phase-standing">
              {STANDING_TEXT[p.standing]}
              {p.copied && ' (copied from the parent)'}
              {p.reopened > 0 && ` · reopened ${p.reopened}×`}
            </span>
            {p.completedAt && <time dateTime={p.completedAt}>{formatDateTime(p.completedAt)}</time>}
          </li>
        ))}
      </ol>
    </section>
  );
});
