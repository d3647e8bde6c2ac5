import type { AuditRecordBody, VerifyResponse } from '@topdog/contracts';
import { useState } from 'react';
import { useSession } from '../session/session-context';
import { ErrorMessage } from '../ui/ErrorMessage';
import { formatDateTime } from '../ui/format';
import { useCommand } from '../ui/use-async';
import { firstBrokenLink } from './chain-links';

/** Every event of the workflow with its hash, and the hash chain's verification by the service. */
export function AuditTrail({ workflowId, records }: { workflowId: string; records: AuditRecordBody[] }) {
  const { client } = useSession();
  const [result, setResult] = useState<VerifyResponse | null>(null);
  const verify = useCommand(async () => setResult(await client.verify(workflowId)));
  const broken = firstBrokenLink(records);
  return (
    <section className="card" aria-labelledby="audit-heading">
      <h2 id="audit-heading">Audit trail</h2>
      <div className="buttons">
        <button type="button" onClick={() => void verify.run()} disabled={verify.pending}>
          {verify.pending ? 'Verifying…' : 'Verify the hash chain'}
        </button>
      </div>
      <div aria-live="polite">
        {verify.pending && <p className="loading">Verifying…</p>}
        {result && !verify.pending && (
          <p className={result.ok && broken === null ? 'verified' : 'broken'} role="status" data-testid="verification">
            {result.ok
              ? `Verified: ${result.events} events, ${result.verified_links} links intact; head hash ${result.head_hash?.slice(0, 16) ?? '–'}…`
              : `Broken at revision ${result.first_broken?.revision}: it names ${result.first_broken?.found_prev_hash} as its predecessor's hash, which hashes to ${result.first_broken?.expected_prev_hash}.`}
            {broken !== null && ` The records on this page break at revision ${broken}.`}
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
                    <details>
                      <summary>{r.type}</summary>
                      <pre className="json">{JSON.stringify(r.data, null, 2)}</pre>
                    </details>
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
}
