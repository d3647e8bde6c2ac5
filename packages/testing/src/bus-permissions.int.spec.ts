import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import { connect, PermissionViolationError, usernamePasswordAuthenticator, type NatsConnection } from '@nats-io/transport-node';
import { busInbox, connectNats, type BusUser, type Logger } from '@topdog/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNatsServer, type NatsServerFixture } from './nats-server';

const prefix = 'perm';
const stream = 'PERM_WORKFLOW_EVENTS';
const calls = 'PERM_LLM_CALLS';
const encoder = new TextEncoder();

/** A user's connection, with every subject the server refused it so far. */
interface UserConnection {
  nc: NatsConnection;
  refused: Set<string>;
}

/**
 * Each service's bus user, on a server started with TopDog's permissions: what each may do
 * works, and what it may not is refused by the server (and said so by the client).
 */
describe('bus permissions', () => {
  let server: NatsServerFixture;
  let admin: NatsConnection;
  const open: NatsConnection[] = [];

  const connectAs = async (user: BusUser | 'admin'): Promise<UserConnection> => {
    const nc = await server.connectAs(user);
    open.push(nc);
    const refused = new Set<string>();
    void (async () => {
      for await (const s of nc.status()) {
        if (s.type === 'error' && s.error instanceof PermissionViolationError) refused.add(`${s.error.operation} ${s.error.subject}`);
      }
    })();
    return { nc, refused };
  };

  /** Publishes to each subject and says which the server refused. */
  const publishAll = async ({ nc, refused }: UserConnection, subjects: string[]): Promise<string[]> => {
    for (const s of subjects) nc.publish(s, encoder.encode('{}'));
    await nc.flush();
    await new Promise((r) => setTimeout(r, 150));
    return subjects.filter((s) => refused.has(`publish ${s}`));
  };

  /** Subscribes to each subject and says which the server refused. */
  const subscribeAll = async ({ nc, refused }: UserConnection, subjects: string[]): Promise<string[]> => {
    for (const s of subjects) nc.subscribe(s);
    await nc.flush();
    await new Promise((r) => setTimeout(r, 150));
    return subjects.filter((s) => refused.has(`subscription ${s}`));
  };

  const storedCommits = async () => (await (await jetstreamManager(admin)).streams.info(stream)).state.messages;

  beforeAll(async () => {
    server = await startNatsServer({ auth: { prefix } });
    admin = (await connectAs('admin')).nc;
    const jsm = await jetstreamManager(admin);
    await jsm.streams.add({ name: stream, subjects: [`${prefix}.events.>`], storage: StorageType.File, allow_direct: true });
    await jetstream(admin).publish(`${prefix}.events.workflow.w1`, encoder.encode('{}'));
  });

  afterAll(async () => {
    for (const nc of open) await nc.close();
    await server?.dispose();
  });

  it('refuses a client without credentials, or with a wrong password', async () => {
    await expect(connect({ servers: server.url, noAsyncTraces: true })).rejects.toThrow(/Authorization/i);
    await expect(
      connect({ servers: server.url, noAsyncTraces: true, authenticator: usernamePasswordAuthenticator('gateway', 'not-the-password') }),
    ).rejects.toThrow(/Authorization/i);
  });

  it('lets the gateway send commands and queries and read the stream, and nothing else', async () => {
    const gateway = await connectAs('gateway');
    const allowed = [`${prefix}.cmd.workflow.initialize`, `${prefix}.query.workflow.status`, `${prefix}.health.projector`, `${prefix}.projector.rebuild`];
    const denied = [
      `${prefix}.events.workflow.x`,
      `${prefix}.cmd.workflow.record-llm-result`,
      `${prefix}.projector.applied`,
      `${prefix}.projector.warm`,
      `${prefix}.live.workflow.x.tokens`,
      `$KV.${prefix}_read_models.checkpoint`,
      `$JS.API.STREAM.UPDATE.${stream}`,
      `$JS.API.STREAM.DELETE.${stream}`,
      `${prefix}.snapshots.workflow.w1`,
      `$JS.API.DIRECT.GET.${prefix.toUpperCase()}_WORKFLOW_SNAPSHOTS.${prefix}.snapshots.workflow.w1`,
      `$JS.API.CONSUMER.MSG.NEXT.${calls}.llm_runner`,
      `$JS.API.CONSUMER.DELETE.${calls}.llm_runner`,
      // The name of the runners' former queue on the event stream, which an upgraded orchestrator takes over.
      `$JS.API.CONSUMER.CREATE.${stream}.llm_runner.${prefix}.events.workflow.>`,
      `$JS.API.CONSUMER.DELETE.${stream}.llm_runner`,
    ];
    expect(await publishAll(gateway, [...allowed, ...denied])).toEqual(denied);
    expect(await subscribeAll(gateway, [`${prefix}.projector.applied`, `${prefix}.cmd.workflow.initialize`, `${prefix}.events.>`])).toEqual([
      `${prefix}.cmd.workflow.initialize`,
      `${prefix}.events.>`,
    ]);

    // An append through JetStream is refused, not stored; reading the stream works.
    const js = jetstream(gateway.nc, { timeout: 1_000 });
    await expect(js.publish(`${prefix}.events.workflow.w1`, encoder.encode('{}'))).rejects.toThrow();
    expect(await storedCommits()).toBe(1);
    const jsm = await jetstreamManager(gateway.nc);
    expect((await jsm.streams.info(stream)).state.messages).toBe(1);
    expect((await jsm.direct.getMessage(stream, { last_by_subj: `${prefix}.events.workflow.w1` }))?.seq).toBe(1);
  });

  it('lets the orchestrator append events and answer commands, but not send them', async () => {
    const orchestrator = await connectAs('orchestrator');
    // The call queue: created with the llm-runners' consumer, and a call queued, as at start and before an append.
    const jsm = await jetstreamManager(orchestrator.nc);
    await jsm.streams.add({ name: calls, subjects: [`${prefix}.calls.>`], storage: StorageType.File, retention: RetentionPolicy.Workqueue });
    await jsm.consumers.add(calls, { durable_name: 'llm_runner', ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All });
    await jetstream(orchestrator.nc).publish(`${prefix}.calls.w2`, encoder.encode('{}'));
    expect(
      await publishAll(orchestrator, [
        `${prefix}.query.llm.providers`,
        `${prefix}.projector.warm`,
        `${prefix}.cmd.workflow.complete-phase`,
        `${prefix}.query.workflow.status`,
      ]),
    ).toEqual([`${prefix}.cmd.workflow.complete-phase`, `${prefix}.query.workflow.status`]);
    expect(await subscribeAll(orchestrator, [`${prefix}.cmd.workflow.complete-phase`, `${prefix}.query.workflow.status`])).toEqual([
      `${prefix}.query.workflow.status`,
    ]);
    await jetstream(orchestrator.nc).publish(`${prefix}.events.workflow.w2`, encoder.encode('{}'));
    expect(await storedCommits()).toBe(2);
    // Its snapshots: the stream created, one kept and read back.
    const snapshots = `${prefix.toUpperCase()}_WORKFLOW_SNAPSHOTS`;
    await jsm.streams.add({ name: snapshots, subjects: [`${prefix}.snapshots.>`], storage: StorageType.File, max_msgs_per_subject: 1, allow_direct: true });
    await jetstream(orchestrator.nc).publish(`${prefix}.snapshots.workflow.w2`, encoder.encode('{"v":1}'));
    const snapshot = await jsm.direct.getMessage(snapshots, { last_by_subj: `${prefix}.snapshots.workflow.w2` });
    expect(snapshot?.string()).toBe('{"v":1}');
    expect([...orchestrator.refused].filter((r) => r.startsWith('publish $JS'))).toEqual([]);
  });

  it('lets the llm-runner record results and stream tokens, but not complete a phase or append', async () => {
    const runner = await connectAs('llm-runner');
    const allowed = [`${prefix}.cmd.workflow.record-llm-result`, `${prefix}.query.workflow.llm-call`, `${prefix}.live.workflow.w1.tokens`];
    const denied = [
      `${prefix}.cmd.workflow.complete-phase`,
      `${prefix}.cmd.workflow.initialize`,
      `${prefix}.events.workflow.w1`,
      `${prefix}.projector.applied`,
    ];
    expect(await publishAll(runner, [...allowed, ...denied])).toEqual(denied);
    // The call queue: its ack wait set, taken from and acknowledged; nothing else of it.
    const jsm = await jetstreamManager(runner.nc);
    await jsm.consumers.update(calls, 'llm_runner', { ack_wait: 5_000_000_000 });
    const consumer = await jetstream(runner.nc).consumers.get(calls, 'llm_runner');
    const msg = await consumer.next({ expires: 2_000 });
    expect(msg?.subject).toBe(`${prefix}.calls.w2`);
    expect(await msg!.ackAck()).toBe(true);
    const notItsOwn = [`$JS.API.STREAM.PURGE.${calls}`, `$JS.API.CONSUMER.DELETE.${calls}.llm_runner`, `${prefix}.calls.w3`];
    expect(await publishAll(runner, notItsOwn)).toEqual(notItsOwn);
  });

  it('lets the projector write its read models, publish its position and hear warm-ups, not append events', async () => {
    const projector = await connectAs('projector');
    expect(
      await publishAll(projector, [
        `$KV.${prefix}_read_models.checkpoint`,
        `${prefix}.projector.applied`,
        `${prefix}.events.workflow.x`,
        `$KV.other.x`,
        `${prefix}.projector.warm`,
      ]),
    ).toEqual([`${prefix}.events.workflow.x`, `$KV.other.x`, `${prefix}.projector.warm`]);
    expect(await subscribeAll(projector, [`${prefix}.projector.warm`, `${prefix}.cmd.workflow.initialize`])).toEqual([`${prefix}.cmd.workflow.initialize`]);
  });

  it('lets the webhooks service keep its registrations and its own consumers, and nothing of the others', async () => {
    const webhooks = await connectAs('webhooks');
    const denied = [
      `${prefix}.events.workflow.x`,
      `${prefix}.cmd.workflow.initialize`,
      `${prefix}.query.workflow.status`,
      `${prefix}.cmd.webhooks.register`,
      `$KV.${prefix}_read_models.checkpoint`,
      `$KV.${prefix}_api_keys.x`,
      `$JS.API.STREAM.PURGE.${stream}`,
      `$JS.API.CONSUMER.MSG.NEXT.${calls}.llm_runner`,
      `$JS.API.CONSUMER.DELETE.${calls}.llm_runner`,
      `$JS.API.CONSUMER.CREATE.${calls}.llm_runner`,
      `$JS.ACK.${calls}.llm_runner.1.1.1.0.0`,
    ];
    expect(await publishAll(webhooks, [`$KV.${prefix}_webhooks.hook.x`, ...denied])).toEqual(denied);
    // It answers the webhook requests (and its health); the gateway sends them, and may not touch the bucket.
    expect(
      await subscribeAll(webhooks, [
        `${prefix}.cmd.webhooks.register`,
        `${prefix}.query.webhooks.deliveries`,
        `${prefix}.health.webhooks`,
        `${prefix}.cmd.workflow.initialize`,
      ]),
    ).toEqual([`${prefix}.cmd.workflow.initialize`]);
    const gateway = await connectAs('gateway');
    expect(await publishAll(gateway, [`${prefix}.cmd.webhooks.register`, `${prefix}.query.webhooks.list`, `$KV.${prefix}_webhooks.hook.x`])).toEqual([
      `$KV.${prefix}_webhooks.hook.x`,
    ]);

    // A webhook's durable consumer: created, taken from one at a time, acknowledged, deleted.
    const jsm = await jetstreamManager(webhooks.nc);
    await jsm.consumers.add(stream, {
      durable_name: 'webhook_abc',
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      filter_subject: `${prefix}.events.workflow.>`,
      max_ack_pending: 1,
    });
    const consumer = await jetstream(webhooks.nc).consumers.get(stream, 'webhook_abc');
    const msg = await consumer.next({ expires: 2_000 });
    expect(msg?.subject).toBe(`${prefix}.events.workflow.w1`);
    expect(await msg!.ackAck()).toBe(true);
    expect(await jsm.consumers.delete(stream, 'webhook_abc')).toBe(true);
    // Its KV bucket: created, written, read, listed.
    const { Kvm } = await import('@nats-io/kv');
    const kv = await new Kvm(webhooks.nc).create(`${prefix}_webhooks`, { history: 1 });
    await kv.put('hook.abc', '{}');
    expect((await kv.get('hook.abc'))?.string()).toBe('{}');
    const keys: string[] = [];
    for await (const k of await kv.keys('hook.*')) keys.push(k);
    expect(keys).toEqual(['hook.abc']);
    await kv.delete('hook.abc');
    // Nothing it did with its consumer and bucket was refused.
    const expectedRefusals = [...denied.map((d) => `publish ${d}`), `subscription ${prefix}.cmd.workflow.initialize`];
    expect([...webhooks.refused].filter((r) => !expectedRefusals.includes(r))).toEqual([]);
  });

  it('lets the reader follow the events and read the stream, and publish nothing', async () => {
    const reader = await connectAs('reader');
    const denied = [
      `${prefix}.cmd.workflow.initialize`,
      `${prefix}.query.workflow.status`,
      `${prefix}.events.workflow.x`,
      `${prefix}.projector.applied`,
      `${prefix}.live.workflow.x.tokens`,
      `$KV.${prefix}_read_models.checkpoint`,
      `$JS.API.STREAM.PURGE.${stream}`,
      `$JS.API.CONSUMER.MSG.NEXT.${calls}.llm_runner`,
      `$JS.API.CONSUMER.DELETE.${calls}.llm_runner`,
      `$JS.API.CONSUMER.DELETE.${stream}.oc_someone_1`,
      `$JS.ACK.${calls}.llm_runner.1.1.1.0.0`,
    ];
    expect(await publishAll(reader, denied)).toEqual(denied);
    expect(await subscribeAll(reader, [`${prefix}.events.>`, `${prefix}.live.workflow.*.tokens`, `${prefix}.cmd.workflow.initialize`])).toEqual([
      `${prefix}.cmd.workflow.initialize`,
    ]);
    // An ordered consumer reads the stream from the start.
    const consumer = await jetstream(reader.nc).consumers.get(stream, { filter_subjects: `${prefix}.events.>` });
    const first = await consumer.next({ expires: 2_000 });
    expect(first?.subject).toBe(`${prefix}.events.workflow.w1`);
  });

  it("keeps each user's replies in its own inbox: answered there, and read by no one else", async () => {
    const [gateway, orchestrator, reader, runner] = await Promise.all([
      connectAs('gateway'),
      connectAs('orchestrator'),
      connectAs('reader'),
      connectAs('llm-runner'),
    ]);
    const command = `${prefix}.cmd.workflow.complete-phase`;
    orchestrator.nc.subscribe(command, { callback: (_, msg) => void msg.respond(encoder.encode('done')) });
    await orchestrator.nc.flush();
    const reply = await gateway.nc.request(command, encoder.encode('{}'), { timeout: 2_000 });
    expect(new TextDecoder().decode(reply.data)).toBe('done');

    const inboxes = ['_INBOX.>', `${busInbox('gateway')}.>`, `${busInbox('orchestrator')}.>`, `${busInbox('reader')}.>`];
    expect(await subscribeAll(reader, inboxes)).toEqual(inboxes.filter((s) => s !== `${busInbox('reader')}.>`));
    expect(await subscribeAll(runner, inboxes)).toEqual(inboxes);
    // The llm-runner answers the gateway and the orchestrator (providers), not the reader.
    expect(await publishAll(runner, [`${busInbox('gateway')}.x`, `${busInbox('orchestrator')}.x`, `${busInbox('reader')}.x`])).toEqual([
      `${busInbox('reader')}.x`,
    ]);
  });

  it("logs what a service's connection is refused, naming the subject", async () => {
    const errors: string[] = [];
    const logger = { info: () => undefined, warn: () => undefined, error: (_: unknown, msg: string) => errors.push(msg) } as unknown as Logger;
    const nc = await connectNats({
      servers: server.url,
      name: 'test',
      logger,
      authenticator: usernamePasswordAuthenticator('llm-runner', server.passwords!['llm-runner']),
      inboxPrefix: busInbox('llm-runner'),
    });
    open.push(nc);
    nc.publish(`${prefix}.cmd.workflow.complete-phase`, encoder.encode('{}'));
    await nc.flush();
    await new Promise((r) => setTimeout(r, 150));
    expect(errors).toEqual([`NATS refused to publish ${prefix}.cmd.workflow.complete-phase: outside this service's bus permissions`]);
  });
});
