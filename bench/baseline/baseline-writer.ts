// The bare command path's writer, in its own process like the orchestrator: for each command
// request, one JetStream publish with its ack, then the reply (the position written). No state,
// no decision, no validation: the hops alone.
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { COMMAND_SUBJECT, commandSubject, ensureCommandsStream } from './baseline-subjects';

const nc = await connect({ servers: process.env.NATS_URL, noAsyncTraces: true });
await ensureCommandsStream(await jetstreamManager(nc));
const js = jetstream(nc);
let n = 0;
nc.subscribe(COMMAND_SUBJECT, {
  queue: 'writer',
  callback: (_err, msg) =>
    void js.publish(commandSubject(n++ % 1000), msg.data).then(
      (ack) => msg.respond(String(ack.seq)),
      (err: unknown) => msg.respond(`error: ${String(err)}`),
    ),
});
await nc.flush();
process.stdout.write('ready\n');
