import { InvalidArgumentError, type Command } from 'commander';
import { TopDogApiError, type TopDogClient } from '@topdog/client';
import type { ReadinessResponse } from '@topdog/contracts';
import type { CliContext } from '../cli-context';
import { EXIT } from '../exit-codes';

/** One thing `doctor` checked: whether it is well, what it saw, and what to do when it is not. */
export interface Finding {
  check: string;
  ok: boolean;
  detail: string;
  fix?: string;
}

/** Clocks further apart than this make timestamps (events, audit, deadlines) disagree. */
export const CLOCK_SKEW_LIMIT_MS = 1_000;

/** What to do about each dependency `/readyz` names as down. */
export function fixFor(dependency: string): string {
  if (dependency === 'nats') return 'the gateway cannot reach NATS: check NATS_URL and that nats-server runs (and its credentials: NATS_USER, NATS_PASSWORD)';
  if (dependency === 'event stream')
    return 'the event stream does not answer: start the orchestrator (it creates the stream); in a cluster, bring back a majority of the NATS nodes';
  if (dependency.startsWith('provider ')) {
    const provider = dependency.slice('provider '.length);
    return `the llm-runner cannot reach ${provider}: check its key and base URL settings (GET /api/llm/providers shows which); other models keep working`;
  }
  return `start the ${dependency} (pnpm start runs every service), or read its logs and its own /readyz on its operations port (METRICS_PORT; pnpm start prints each) for why it is not ready`;
}

/** What `/readyz` says, as findings: each dependency, and each service's clock against the gateway's. */
export function readinessFindings(readiness: ReadinessResponse): Finding[] {
  const findings: Finding[] = readiness.checks.map((c) => ({
    check: c.name,
    ok: c.ok,
    detail: c.detail ?? (c.ok ? 'answers' : 'down'),
    ...(c.ok ? {} : { fix: fixFor(c.name) }),
  }));
  for (const [service, s] of Object.entries(readiness.services)) {
    if (s.clockSkewMs === undefined) continue;
    const ok = Math.abs(s.clockSkewMs) <= CLOCK_SKEW_LIMIT_MS;
    findings.push({
      check: `clock of ${service}`,
      ok,
      detail: `${s.clockSkewMs >= 0 ? '+' : ''}${s.clockSkewMs} ms from the gateway's`,
      ...(ok ? {} : { fix: "synchronise the machines' clocks (NTP): every event and audit entry is timestamped by the service that wrote it" }),
    });
  }
  return findings;
}

/** Whether the gateway takes the credential (asked of the model table, which the gateway answers by itself: no service down can blur the answer). */
async function credentialFinding(client: TopDogClient): Promise<Finding> {
  try {
    await client.models();
    return { check: 'credential', ok: true, detail: 'accepted' };
  } catch (err) {
    if (!(err instanceof TopDogApiError)) throw err;
    const fix =
      err.code === 'UNAUTHORIZED'
        ? 'set TOPDOG_API_KEY or --api-key (pnpm start keeps the admin key in .data/admin.key; compose in .env as TOPDOG_ADMIN_KEY)'
        : err.code === 'FORBIDDEN'
          ? "the key's role may not read: use a reader, writer or admin key"
          : undefined;
    return { check: 'credential', ok: false, detail: `${err.code}: ${err.message}`, ...(fix ? { fix } : {}) };
  }
}

/** A workflow through all six phases on the offline model: every service's part of the work, end to end. */
async function roundTripFinding(client: TopDogClient, timeoutMs: number): Promise<Finding> {
  const started = performance.now();
  let id: string;
  try {
    id = (
      await client.initialize({
        project_id: 'topdog-doctor',
        user_id: 'topdog-doctor',
        requirements: { description: 'topdog doctor: a round trip on the offline model' },
        model: 'offline',
        auto_advance: true,
      })
    ).workflow_id;
  } catch (err) {
    if (!(err instanceof TopDogApiError)) throw err;
    const fix = err.code === 'FORBIDDEN' ? 'the round trip needs a writer key (or skip it: --no-round-trip)' : fixFor('orchestrator');
    return { check: 'round trip', ok: false, detail: `initialize: ${err.code}: ${err.message}`, fix };
  }
  for (;;) {
    let status: Awaited<ReturnType<TopDogClient['status']>>;
    try {
      status = await client.status(id);
    } catch (err) {
      if (!(err instanceof TopDogApiError)) throw err;
      return { check: 'round trip', ok: false, detail: `status of ${id}: ${err.code}: ${err.message}`, fix: fixFor('projector') };
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    if (status.is_complete) return { check: 'round trip', ok: true, detail: `workflow ${id} through six phases on the offline model in ${seconds} s` };
    const stopped = status.llm?.stopped;
    if (stopped || performance.now() - started > timeoutMs) {
      return {
        check: 'round trip',
        ok: false,
        detail: `workflow ${id} stopped in ${status.current_state}${stopped ? `: ${JSON.stringify(stopped)}` : ` after ${seconds} s`}`,
        fix: 'a phase did not complete: check the llm-runner and projector (their logs, their /readyz), then topdog status and topdog audit on that workflow',
      };
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** What /readyz says, or why it could not be read (a gateway of another version, say). */
async function readiness(client: TopDogClient, notAGateway: string): Promise<Finding[]> {
  try {
    return readinessFindings(await client.readiness());
  } catch (err) {
    if (!(err instanceof TopDogApiError) || err.code === 'UNREACHABLE') throw err;
    return [{ check: 'readiness', ok: false, detail: `${err.code}: ${err.message}`, fix: `${notAGateway} (or the gateway is older than this CLI)` }];
  }
}

/** A positive number of seconds, or a usage error naming the option. */
function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a positive number of seconds');
  return n;
}

/** doctor: checks a deployment end to end and says what to fix. */
export function registerDoctorCommand(program: Command, ctx: CliContext): void {
  program
    .command('doctor')
    .description('check a deployment end to end (reachability, every dependency, clocks, the credential, a workflow round trip) and say what to fix')
    .option('--no-round-trip', 'skip the round trip (it writes a workflow in the project topdog-doctor)')
    .option('--timeout <seconds>', 'how long the round trip may take', seconds, 30)
    .action((o: { roundTrip: boolean; timeout: number }) =>
      ctx.run(async ({ client, out }) => {
        const findings: Finding[] = [];
        const notAGateway = 'something answers there, but not a TopDog gateway: check --url / TOPDOG_URL';
        try {
          if (!(await client.alive())) {
            findings.push({ check: 'gateway', ok: false, detail: `${client.baseUrl}/healthz does not answer 200`, fix: notAGateway });
          } else {
            findings.push({ check: 'gateway', ok: true, detail: `answers at ${client.baseUrl}` });
            findings.push(...(await readiness(client, notAGateway)));
            findings.push(await credentialFinding(client));
            const usable = findings.every((f) => f.ok || f.check.startsWith('provider ') || f.check.startsWith('clock of '));
            if (o.roundTrip && usable) findings.push(await roundTripFinding(client, o.timeout * 1000));
            else if (o.roundTrip) findings.push({ check: 'round trip', ok: false, detail: 'skipped: fix what is above first' });
          }
        } catch (err) {
          if (!(err instanceof TopDogApiError) || err.code !== 'UNREACHABLE') throw err;
          findings.push({ check: 'gateway', ok: false, detail: err.message, fix: 'start it (pnpm start), or point --url / TOPDOG_URL at it' });
        }
        const ok = findings.every((f) => f.ok);
        out.result({ ok, findings }, (v) =>
          [
            ...v.findings.map((f) => `${f.ok ? '✓' : '✗'} ${f.check}: ${f.detail}${f.fix ? `\n    fix: ${f.fix}` : ''}`),
            v.ok ? 'all well' : `${v.findings.filter((f) => !f.ok).length} to fix`,
          ].join('\n'),
        );
        if (ok) return EXIT.OK;
        return findings.some((f) => f.check === 'credential' && !f.ok) ? EXIT.DENIED : EXIT.UNAVAILABLE;
      }),
    );
}
