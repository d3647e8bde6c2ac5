import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import { ServerNats } from '@nestjs/microservices';
import { subject } from '@topdog/contracts';

/**
 * Nest's NATS transport on a connection we own, with our subject prefix: handlers register
 * relative patterns (`cmd.workflow.initialize`) and listen on `<prefix>.<pattern>`, in a queue
 * group so that instances share the load.
 */
export class PrefixedNatsServer extends ServerNats {
  private readonly owned: Subscription[] = [];

  constructor(
    private readonly connection: NatsConnection,
    private readonly prefix: string,
    private readonly queue: string,
  ) {
    super({ queue, gracefulShutdown: true, gracePeriod: 200 });
  }

  override createNatsClient(): Promise<NatsConnection> {
    return Promise.resolve(this.connection);
  }

  override bindEvents(client: NatsConnection): void {
    for (const [pattern, handler] of this.messageHandlers) {
      const queue = typeof handler.extras?.queue === 'string' ? handler.extras.queue : this.queue;
      const sub = client.subscribe(subject(this.prefix, pattern), {
        queue,
        // Nest types its handler as a bare Function; it is NATS's subscription callback.
        callback: this.getMessageHandler(pattern).bind(this) as (err: Error | null, msg: Msg) => void,
      });
      this.owned.push(sub);
    }
  }

  /**
   * Our patterns are plain subjects. Nest's version first tries `JSON.parse` on each, which
   * throws (and builds an Error with its stack) for every message handled.
   */
  override getRouteFromPattern(pattern: string): string {
    return pattern.startsWith('{') ? super.getRouteFromPattern(pattern) : this.normalizePattern(pattern);
  }

  override close(): Promise<void> {
    for (const sub of this.owned.splice(0)) sub.unsubscribe();
    // The connection is the composition root's to drain and close.
    return Promise.resolve();
  }
}
