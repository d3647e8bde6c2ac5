#!/usr/bin/env node
// `pnpm nats:clean -- --yes`: removes one deployment's data from a NATS server (its event stream,
// its snapshots, its model calls' queue and its KV buckets), for a server `pnpm start` joined rather than launched. NATS_URL (else
// nats://127.0.0.1:NATS_PORT, default 4222) and TOPDOG_PREFIX (default topdog) say which; without --yes it only lists what it
// would remove.
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';

const prefix = process.env.TOPDOG_PREFIX ?? 'topdog';
const servers = (process.env.NATS_URL ?? `nats://127.0.0.1:${process.env.NATS_PORT ?? '4222'}`).split(',');
const apply = process.argv.includes('--yes');
/** The KV buckets a deployment keeps (each a stream named KV_<bucket>). */
const BUCKETS = ['read_models', 'api_keys', 'webhooks'];
const auth = process.env.NATS_USER ? { user: process.env.NATS_USER, pass: process.env.NATS_PASSWORD ?? '' } : {};

const nc = await connect({ servers, ...auth }).catch((err) => {
  console.error(
    `cannot connect to ${servers.join(',')}: ${err.message}${/authoriz/i.test(err.message) ? ' (give a user that may manage its streams: NATS_USER and NATS_PASSWORD)' : ''}`,
  );
  process.exit(1);
});
try {
  const jsm = await jetstreamManager(nc);
  // Named exactly: another deployment's prefix may begin with this one.
  // As the contracts name them (eventStreamName, snapshotStreamName, llmCallStreamName and the buckets in subjects.ts).
  const ours = [
    // The snapshots before the events they were taken of: never snapshots left without their events' stream.
    `${prefix.toUpperCase()}_WORKFLOW_SNAPSHOTS`,
    `${prefix.toUpperCase()}_WORKFLOW_EVENTS`,
    `${prefix.toUpperCase()}_LLM_CALLS`,
    ...BUCKETS.map((bucket) => `KV_${prefix}_${bucket}`),
  ];
  const existing = [];
  for (const name of ours) {
    const info = await jsm.streams.info(name).catch(() => undefined);
    if (info) existing.push({ name, messages: info.state.messages });
  }
  if (existing.length === 0) console.log(`nothing of prefix "${prefix}" on ${servers.join(',')}`);
  for (const { name, messages } of existing) {
    if (apply) await jsm.streams.delete(name);
    console.log(`${apply ? 'removed' : 'would remove'} ${name} (${messages} message${messages === 1 ? '' : 's'})`);
  }
  if (!apply && existing.length > 0) console.log('run again with --yes to remove them');
} finally {
  await nc.close();
}
