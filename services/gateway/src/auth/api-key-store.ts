import type { NatsConnection } from '@nats-io/transport-node';
import { Kvm, type KV } from '@nats-io/kv';
import { StoredApiKey } from '@topdog/contracts';
import type { Logger } from 'pino';

/** The KV bucket of a deployment's API keys: key id → record (the secret's hash, never the secret). */
export const apiKeysBucket = (prefix: string) => `${prefix}_api_keys`;

/**
 * The API keys, in NATS KV so every gateway instance sees the same set. Each instance keeps the
 * records it has used in memory and watches the bucket: a revocation (a delete) on any instance
 * reaches the others' memory as soon as NATS delivers it, and a key not in memory is read from
 * KV, so a key created on another instance works at once.
 */
export class ApiKeyStore {
  private readonly known = new Map<string, StoredApiKey>();
  private watching: Promise<void> | undefined;
  private stopWatch: (() => void) | undefined;

  private constructor(
    private readonly kv: KV,
    private readonly logger: Logger,
  ) {}

  static async open(nc: NatsConnection, prefix: string, logger: Logger, replicas = 1): Promise<ApiKeyStore> {
    const kv = await new Kvm(nc).create(apiKeysBucket(prefix), { history: 1, replicas });
    const store = new ApiKeyStore(kv, logger);
    await store.watch();
    return store;
  }

  private async watch(): Promise<void> {
    const watcher = await this.kv.watch({ include: 'updates' });
    this.stopWatch = () => watcher.stop();
    this.watching = (async () => {
      for await (const entry of watcher) {
        if (entry.operation === 'PUT') {
          const parsed = StoredApiKey.safeParse(entry.json());
          if (parsed.success) this.known.set(entry.key, parsed.data);
        } else {
          this.known.delete(entry.key);
        }
      }
    })().catch((err: unknown) => this.logger.error({ err }, 'api key watch ended'));
  }

  /** The record of a key id, or undefined (unknown or revoked). */
  async get(id: string): Promise<StoredApiKey | undefined> {
    const cached = this.known.get(id);
    if (cached) return cached;
    const entry = await this.kv.get(id);
    if (!entry || entry.operation !== 'PUT') return undefined;
    const record = StoredApiKey.parse(entry.json());
    this.known.set(id, record);
    return record;
  }

  async put(record: StoredApiKey): Promise<void> {
    await this.kv.put(record.id, JSON.stringify(record));
    this.known.set(record.id, record);
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
    const existed = (await this.get(id)) !== undefined;
    if (!existed) return false;
    await this.kv.delete(id);
    this.known.delete(id);
    return true;
  }

  async close(): Promise<void> {
    this.stopWatch?.();
    await this.watching;
  }
}
