import type { NatsConnection } from '@nats-io/transport-node';

/** A request was in flight when the connection to its NATS server dropped: its answer will not come. */
export class ConnectionLostError extends Error {
  override readonly name = 'ConnectionLostError';
  constructor() {
    super('the connection to the NATS server dropped while waiting for an answer');
  }
}

interface Epoch {
  lost: Promise<never>;
  reject: (err: Error) => void;
}

const watchers = new WeakMap<NatsConnection, ConnectionLoss>();

/**
 * Fails what waits on a connection as soon as the connection drops. nats.js lets a request
 * sent before a disconnect wait out its whole timeout (its reply went to the lost server), so a
 * caller during a cluster node's death would hang for seconds; raced against this, it fails at
 * once and can be sent again on the reconnected connection. One watcher per connection.
 */
export class ConnectionLoss {
  private epoch: Epoch = ConnectionLoss.newEpoch();

  private constructor(nc: NatsConnection) {
    void (async () => {
      for await (const s of nc.status()) {
        if (s.type !== 'disconnect') continue;
        const ended = this.epoch;
        this.epoch = ConnectionLoss.newEpoch();
        ended.reject(new ConnectionLostError());
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
    return Promise.race([pending, this.epoch.lost]);
  }

  private static newEpoch(): Epoch {
    let reject!: (err: Error) => void;
    const lost = new Promise<never>((_, r) => (reject = r));
    lost.catch(() => undefined); // nobody may be waiting when it drops
    return { lost, reject };
  }
}
