import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { subject, type PublicationDefinition } from '@topdog/contracts';
import type { z } from 'zod';

const encoder = new TextEncoder();

/** Publishes a message of the catalogue on its subject; nothing is sent once the connection closes. */
export function publish<M extends z.ZodType, A extends readonly string[]>(
  nc: NatsConnection,
  prefix: string,
  definition: PublicationDefinition<M, A>,
  args: A,
  message: z.input<M>,
): void {
  if (nc.isClosed() || nc.isDraining()) return;
  nc.publish(subject(prefix, definition.subject(...args)), encoder.encode(JSON.stringify(message)));
}

/** Subscribes to a message of the catalogue; messages that do not match its schema are dropped. */
export function subscribe<M extends z.ZodType, A extends readonly string[]>(
  nc: NatsConnection,
  prefix: string,
  definition: PublicationDefinition<M, A>,
  args: A,
  onMessage: (message: z.output<M>) => void,
): Subscription {
  return nc.subscribe(subject(prefix, definition.subject(...args)), {
    callback: (err, msg) => {
      if (err) return;
      let json: unknown;
      try {
        json = msg.json();
      } catch {
        return;
      }
      const parsed = definition.message.safeParse(json);
      if (parsed.success) onMessage(parsed.data);
    },
  });
}
