// The bare command path's writer, in its own process like the orchestrator: for each command
// request, one JetStream publish with its ack, then the reply (the position written). No state,
// no decision, no validation: the hops alone.
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { COMMANDS_STREAM, COMMAND_SUBJECT } from './baseline-subjects';

const nc = await connect({ servers: process.env.NATS_URL, noAsyncTraces: true });
await (await jetstreamManager(nc)).streams.add({ name: COMMANDS_STREAM, subjects: [`${COMMANDS_STREAM.toLowerCase()}.>`], storage: 'file' });
const js = jetstream(nc);
let n = 0;
nc.subscribe(COMMAND_SUBJECT, {
  queue: 'writer',
  callback: (_err, msg) =>
    void js.publish(`${COMMANDS_STREAM.toLowerCase()}.${n++ % 1000}`, msg.data).then(
      (ack) => msg.respond(String(ack.seq)),
      (err: unknown) => msg.respond(`error: ${String(err)}`),
    ),
});
await nc.flush();
process.stdout.write('ready\n');
