import type { AuditRecordBody, VerifyResponse } from '@topdog/contracts';
import { memo, useState } from 'react';
import { useSession } from '../session/session-context';
import { ErrorMessage } from '../ui/ErrorMessage';
import { formatDateTime } from '../ui/format';
import { useCommand } from '../ui/use-command';
import { firstBrokenLink } from './chain-links';

/** How the service's verification reads to a person. */
function verificationText(result: VerifyResponse): string {
  if (result.ok) return `Verified: ${result.events} events, ${result.verified_links} links intact; head hash ${result.head_hash?.slice(0, 16) ?? '–'}…`;
  const b = result.first_broken;
  if (!b) return 'Broken.';
  // Out of order, the service names revisions where hashes would be.
  if (b.expected_prev_hash?.startsWith('revision ')) return `Broken at revision ${b.revision}: ${b.expected_prev_hash} was expected there.`;
  return `Broken at revision ${b.revision}: it names ${b.found_prev_hash} as its predecessor's hash, which hashes to ${b.expected_prev_hash}.`;
}

/** Every event of the workflow with its hash, and the hash chain's verification by the service. */
export const AuditTrail = memo(function AuditTrail({ workflowId, records }: { workflowId: string; records: AuditRecordBody[] }) {
  const { client } = useSession();
  const [result, setResult] = useState<{ verified: VerifyResponse; pageBreak: number | null } | null>(null);
  const verify = useCommand(async () => setResult({ verified: await client.verify(workflowId), pageBreak: firstBrokenLink(records) }));
  return (
    <section className="card" aria-labelledby="audit-heading">
      <h2 id="audit-heading">Audit trail</h2>
      <div className="buttons">
        <button type="button" onClick={() => void verify.run()} disabled={verify.pending}>
          {verify.pending ? 'Verifying…' : 'Verify the hash chain'}
        </button>
      </div>
      <div aria-live="polite">
        {result && !verify.pending && (
          <p className={result.verified.ok && result.pageBreak === null ? 'verified' : 'broken'} data-testid="verification">
            {verificationText(result.verified)}
            {result.pageBreak !== null && ` The records this page holds break at revision ${result.pageBreak}.`}
          </p>
        )}
      </div>
      <ErrorMessage error={verify.error} />
      <details>
        <summary>{records.length} events</summary>
        <div className="table-scroll">
          <table className="audit">
            <thead>
              <tr>
                <th scope="col">Revision</th>
                <th scope="col">Event</th>
                <th scope="col">When</th>
                <th scope="col">Actor</th>
                <th scope="col">Hash</th>
              </tr>
            </thead>
            <tbody>
              {records.map((r) => (
                <tr key={r.id}>
                  <td>{r.revision}</td>
                  <td>
                    <EventData record={r} />
                  </td>
                  <td>{formatDateTime(r.occurred_at)}</td>
                  <td>{r.actor}</td>
                  <td>
                    <code title={r.hash}>{r.hash.slice(0, 12)}…</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </section>
  );
});

/** An event's type, and its data once opened (a prompt's data can be long: it is laid out only when asked for). */
function EventData({ record }: { record: AuditRecordBody }) {
  const [open, setOpen] = useState(false);
  return (
    <details onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>{record.type}</summary>
      {open && <pre className="json">{JSON.stringify(record.data, null, 2)}</pre>}
    </details>
  );
}
