import type { NatsConnection } from '@nats-io/transport-node';
import { Kvm, type KV } from '@nats-io/kv';
import { apiKeysBucket, StoredApiKey, TopDogError } from '@topdog/contracts';
import type { Logger } from 'pino';

/**
 * How long a record held in memory is trusted without reading KV again: a bound on how long a
 * revocation could go unseen here should the watch miss it (the watch normally applies it in
 * milliseconds).
 */
const TRUST_MS = 10_000;

/**
 * The API keys, in NATS KV so every gateway instance sees the same set. Each instance keeps the
 * records it has used in memory and watches the bucket: a revocation (a delete) on any instance
 * reaches the others' memory as soon as NATS delivers it, and a key not in memory is read from
 * KV, so a key created on another instance works at once. A watch that ends is set up again.
 */
export class ApiKeyStore {
  private readonly known = new Map<string, { record: StoredApiKey; readAt: number }>();
  /** Ids revoked since this instance started (ids are never reused): see forget. */
  private readonly revoked = new Set<string>();
  private readonly revocationListeners: ((id: string) => void)[] = [];
  private watching: Promise<void> | undefined;
  private stopWatch: (() => void) | undefined;
  private closed = false;

  private constructor(
    private readonly kv: KV,
    private readonly logger: Logger,
    private readonly now: () => number,
  ) {}

  static async open(nc: NatsConnection, prefix: string, logger: Logger, options: { replicas?: number; now?: () => number } = {}): Promise<ApiKeyStore> {
    const kv = await new Kvm(nc).create(apiKeysBucket(prefix), { history: 1, replicas: options.replicas ?? 1 });
    const store = new ApiKeyStore(kv, logger, options.now ?? Date.now);
    store.watching = store.watch();
    return store;
  }

  /** Applies every change to the bucket to memory, until closed; after a failure, forgets everything and watches again. */
  private async watch(): Promise<void> {
    while (!this.closed) {
      try {
        const watcher = await this.kv.watch({ include: 'updates' });
        this.stopWatch = () => watcher.stop();
        if (this.closed) watcher.stop();
        for await (const entry of watcher) {
          const parsed = entry.operation === 'PUT' ? StoredApiKey.safeParse(entry.json()) : undefined;
          if (parsed?.success) this.known.set(entry.key, { record: parsed.data, readAt: this.now() });
          else this.forget(entry.key);
        }
      } catch (err) {
        this.logger.warn({ err }, 'the API key watch failed; watching again');
      }
      // Whatever happened while the watch was down is unknown: read every key afresh.
      this.known.clear();
      if (!this.closed) await new Promise((r) => setTimeout(r, 1_000));
    }
  }

  /** The record of a key id, or undefined (unknown or revoked). */
  async get(id: string): Promise<StoredApiKey | undefined> {
    const cached = this.known.get(id);
    if (cached && this.now() - cached.readAt < TRUST_MS) return cached.record;
    try {
      const entry = await this.kv.get(id);
      if (!entry || entry.operation !== 'PUT') {
        this.known.delete(id);
        return undefined;
      }
      // Revoked while this read was under way: the delete wins over what was read before it.
      if (this.revoked.has(id)) return undefined;
      const record = StoredApiKey.parse(entry.json());
      this.known.set(id, { record, readAt: this.now() });
      return record;
    } catch (err) {
      throw new TopDogError('UNAVAILABLE', 'the API key store did not answer; retry shortly', [], { cause: err });
    }
  }

  /** Stores a new key's record; an id already taken (a 1 in 2^48 chance) is an error, never an overwrite. */
  async create(record: StoredApiKey): Promise<void> {
    await this.kv.create(record.id, JSON.stringify(record));
    this.known.set(record.id, { record, readAt: this.now() });
  }

  async list(): Promise<StoredApiKey[]> {
    const records: StoredApiKey[] = [];
    for await (const id of await this.kv.keys()) {
      const record = await this.get(id);
      if (record) records.push(record);
    }
    return records.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  /** Deletes the record: this instance forgets it now, the others when the watch delivers the delete. */
  async revoke(id: string): Promise<boolean> {
    if ((await this.get(id)) === undefined) return false;
    await this.kv.delete(id);
    this.forget(id);
    return true;
  }

  /**
   * A key is gone for good: forgotten, and remembered as revoked, so that a read of it already
   * under way (begun before the delete) cannot bring it back into memory.
   */
  private forget(id: string): void {
    this.known.delete(id);
    this.revoked.add(id);
    for (const listener of this.revocationListeners) listener(id);
  }

  /** Calls `listener` with the id of each key revoked, through this instance or another. */
  onRevoked(listener: (id: string) => void): void {
    this.revocationListeners.push(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.stopWatch?.();
    await this.watching;
  }
}
