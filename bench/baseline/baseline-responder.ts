// The baseline's NATS responder, in its own process like our services: echoes each request.
import { connect } from '@nats-io/transport-node';

const nc = await connect({ servers: process.env.NATS_URL, noAsyncTraces: true });
nc.subscribe('baseline.echo', { queue: 'baseline', callback: (_err, msg) => void msg.respond(msg.data) });
await nc.flush();
process.stdout.write('ready\n');
