import type { NatsConnection } from '@nats-io/transport-node';

/** A request was in flight when the connection to its NATS server dropped: its answer will not come. */
export class ConnectionLostError extends Error {
  override readonly name = 'ConnectionLostError';
  constructor() {
    super('the connection to the NATS server dropped while waiting for an answer');
  }
}

const watchers = new WeakMap<NatsConnection, ConnectionLoss>();

/**
 * Fails what waits on a connection as soon as the connection drops. nats.js lets a request
 * sent before a disconnect wait out its whole timeout (its reply went to the lost server), so a
 * caller during a cluster node's death would hang for seconds; raced against this, it fails at
 * once and can be sent again on the reconnected connection. Whether the request was carried out
 * is unknown: a command is safe to send again only with its Idempotency-Key. One watcher per
 * connection; each waiter is forgotten as soon as it settles.
 */
export class ConnectionLoss {
  private readonly waiting = new Set<(err: Error) => void>();

  private constructor(nc: NatsConnection) {
    void (async () => {
      for await (const s of nc.status()) {
        if (s.type !== 'disconnect') continue;
        const lost = [...this.waiting];
        this.waiting.clear();
        for (const reject of lost) reject(new ConnectionLostError());
      }
    })();
  }

  static of(nc: NatsConnection): ConnectionLoss {
    let watcher = watchers.get(nc);
    if (!watcher) {
      watcher = new ConnectionLoss(nc);
      watchers.set(nc, watcher);
    }
    return watcher;
  }

  /** Settles as `pending` does, or rejects with ConnectionLostError if the connection drops first. */
  race<T>(pending: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.waiting.add(reject);
      pending.then(resolve, reject).finally(() => this.waiting.delete(reject));
    });
  }
}
