import type { AuditRecordBody } from '@topdog/contracts';
import { verifyChain, type StoredEvent } from '@topdog/event-store';
import type { Command } from 'commander';
import type { CliContext } from '../cli-context';
import { describeRecord } from '../describe-record';
import { readAuditExport } from '../audit-export';
import { EXIT } from '../exit-codes';
import { table } from '../output';

/** An audit record back in the store's envelope shape, to check its hash offline. */
function envelopeOf(r: AuditRecordBody): StoredEvent {
  return {
    id: r.id,
    type: r.type,
    streamId: r.stream_id,
    revision: r.revision,
    position: r.position,
    occurredAt: r.occurred_at,
    actor: r.actor,
    correlationId: r.correlation_id,
    causationId: r.causation_id,
    schemaVersion: r.schema_version,
    metadata: r.metadata,
    data: r.data,
  };
}

/** audit (table or NDJSON) and verify (online, or offline from an NDJSON export). */
export function registerAuditCommands(program: Command, ctx: CliContext): void {
  program
    .command('audit <workflow-id>')
    .description("a workflow's audit trail: a table, or NDJSON with --json")
    .option('--from <revision>', 'from this revision', Number)
    .action((id: string, o: { from?: number }) =>
      ctx.run(async ({ client, out }) => {
        const rows: string[][] = [];
        for await (const r of client.audit(id, { fromRevision: o.from })) {
          if (out.json) out.line(JSON.stringify(r));
          else rows.push([String(r.revision), r.occurred_at, r.type, r.actor, r.correlation_id, describeRecord(r)]);
        }
        if (!out.json) out.line(table(['rev', 'time', 'event', 'actor', 'correlation', 'what'], rows));
      }),
    );

  program
    .command('verify [workflow-id]')
    .description("check a workflow's hash chain (exit 7 when broken); --file checks an NDJSON export offline")
    .option('--file <path>', 'an NDJSON audit export (topdog audit --json, or the API with Accept: application/x-ndjson)', readAuditExport)
    .action((id: string | undefined, o: { file?: AuditRecordBody[] }) =>
      ctx.run(async ({ client, out }) => {
        let report: {
          ok: boolean;
          events: number;
          verified_links: number;
          unchained_events: number;
          head_hash: string | null;
          first_broken: { revision: number; event_id: string; expected_prev_hash: string | null; found_prev_hash: string | null } | null;
        };
        // --file is the export's records, read and checked as the option was parsed.
        if (o.file !== undefined) {
          const r = verifyChain(o.file.map(envelopeOf));
          report = {
            ok: r.ok,
            events: r.events,
            verified_links: r.verified,
            unchained_events: r.unchained,
            head_hash: r.headHash,
            first_broken: r.firstBroken && {
              revision: r.firstBroken.revision,
              event_id: r.firstBroken.eventId,
              expected_prev_hash: r.firstBroken.expected,
              found_prev_hash: r.firstBroken.found,
            },
          };
        } else if (id) {
          report = await client.verify(id);
        } else {
          throw new Error('give a workflow id, or --file with an NDJSON export');
        }
        out.result(report, (v) =>
          v.ok
            ? `ok: ${v.events} events, ${v.verified_links} links verified${v.unchained_events ? `, ${v.unchained_events} from before the chain` : ''}\nhead ${v.head_hash}`
            : `BROKEN at revision ${v.first_broken?.revision} (event ${v.first_broken?.event_id}): it names ${v.first_broken?.found_prev_hash} as its predecessor's hash; the stored predecessor hashes to ${v.first_broken?.expected_prev_hash}`,
        );
        return report.ok ? EXIT.OK : EXIT.TAMPERED;
      }),
    );
}
