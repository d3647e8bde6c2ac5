import type { NatsConnection } from '@nats-io/transport-node';
import type { EventStore } from './event-store';
import { JetStreamEventStore } from './jetstream/jetstream.event-store';
import { KurrentDbEventStore } from './kurrentdb/kurrentdb.event-store';

/** Where a deployment's events live: JetStream on its NATS (the default), or a KurrentDB server. */
export type EventStoreChoice = { kind: 'jetstream' } | { kind: 'kurrentdb'; connectionString: string };

/** The choice a service's settings make (EVENT_STORE, KURRENTDB_CONNECTION_STRING); a KurrentDB one needs its connection string. */
export function eventStoreChoice(settings: { EVENT_STORE: 'jetstream' | 'kurrentdb'; KURRENTDB_CONNECTION_STRING?: string | undefined }): EventStoreChoice {
  if (settings.EVENT_STORE === 'jetstream') return { kind: 'jetstream' };
  if (!settings.KURRENTDB_CONNECTION_STRING) throw new Error('invalid configuration: KURRENTDB_CONNECTION_STRING: required when EVENT_STORE=kurrentdb');
  return { kind: 'kurrentdb', connectionString: settings.KURRENTDB_CONNECTION_STRING };
}

/** The writer's JetStream API wait (see JetStreamEventStoreOptions.apiTimeoutMs). */
const WRITER_API_TIMEOUT_MS = 2_000;

export interface OpenEventStoreOptions {
  prefix: string;
  /**
   * The writer's (the orchestrator's): it creates the JetStream stream with these replicas, and
   * reads tips from its leader; it remembers the tips of `tipCacheSize` streams (default 100,000),
   * which must be at least as many as the writer holds states of, for their snapshots to be written.
   */
  writer?: { replicas: number; tipCacheSize?: number };
  /** Where a reader says, now and then, that it waits for the writer to create the JetStream stream. */
  logger?: { warn(message: string): void };
}

const WAITING = 'waiting for the event stream: the orchestrator creates it when it starts';

/** Opens the chosen event store: as its writer, or as a reader. */
export async function openEventStore(choice: EventStoreChoice, nc: NatsConnection, options: OpenEventStoreOptions): Promise<EventStore> {
  if (choice.kind === 'kurrentdb') {
    return await KurrentDbEventStore.connect({ connectionString: choice.connectionString, prefix: options.prefix, leaderReads: options.writer !== undefined });
  }
  if (options.writer) {
    return JetStreamEventStore.create(nc, {
      prefix: options.prefix,
      replicas: options.writer.replicas,
      ...(options.writer.tipCacheSize ? { tipCacheSize: options.writer.tipCacheSize } : {}),
      // With one replica every direct get is the leader's answer: the API's message get (the
      // JetStream API's queue on the server) would only add to a cold command's time.
      leaderReads: options.writer.replicas > 1,
      apiTimeoutMs: WRITER_API_TIMEOUT_MS,
    });
  }
  return JetStreamEventStore.connect(nc, { prefix: options.prefix }, () => options.logger?.warn(WAITING));
}
