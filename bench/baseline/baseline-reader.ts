// The bare command path's reader, in its own process like the projector: an ordered consumer of
// what the writer stored, telling how far it has read once per turn of the event loop (as the
// projector's applied position does). No decoding, no read model: the hops alone.
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { APPLIED_SUBJECT, COMMANDS_STREAM, ensureCommandsStream } from './baseline-subjects';

const nc = await connect({ servers: process.env.NATS_URL, noAsyncTraces: true });
await ensureCommandsStream(await jetstreamManager(nc));
const messages = await (await jetstream(nc).consumers.get(COMMANDS_STREAM)).consume({ max_messages: 1000 });
process.stdout.write('ready\n');
let applied = 0;
let scheduled = false;
for await (const m of messages) {
  applied = m.seq;
  if (scheduled) continue;
  scheduled = true;
  setImmediate(() => {
    scheduled = false;
    nc.publish(APPLIED_SUBJECT, String(applied));
  });
}
