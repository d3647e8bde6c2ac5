// The baseline: a bare HTTP server (node:http, no framework) doing, per request, one NATS
// request-reply to a responder in another process (GET /request) or one JetStream publish with
// its ack (POST /publish), or one JetStream direct get of a subject's last message
// (GET /last/<stream>/<subject>, the floor of a cold read), or the command path's hops bare
// (POST /command: a request to the writer, which publishes with its ack and replies; the answer
// once the reader says it has read that far, as the gateway waits for the projector). It shows what NATS itself allows on this machine, driven by the same
// load generator at the same concurrency as our endpoints.
import { createServer } from 'node:http';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { followApplied } from './applied-position';
import { COMMAND_SUBJECT, PAYLOAD } from './baseline-subjects';

const nc = await connect({ servers: process.env.NATS_URL, noAsyncTraces: true });
const jsm = await jetstreamManager(nc);
await jsm.streams.add({ name: 'BASELINE', subjects: ['baseline.js.>'], storage: 'file' });
const js = jetstream(nc);
const payload = new TextEncoder().encode(JSON.stringify(PAYLOAD));
let n = 0;
const { readUpTo } = followApplied(nc);

const server = createServer((req, res) => {
  const done = (body: string) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };
  const notFound = () => {
    res.writeHead(404);
    res.end();
  };
  const fail = (err: unknown) => {
    res.writeHead(503);
    res.end(String(err));
  };
  req.resume();
  req.on('end', () => {
    if (req.url === '/request') {
      nc.request('baseline.echo', payload, { timeout: 5_000 }).then((m) => done(m.string()), fail);
    } else if (req.url === '/publish') {
      js.publish(`baseline.js.${n++ % 1000}`, payload).then((ack) => done(JSON.stringify({ seq: ack.seq })), fail);
    } else if (req.url === '/command') {
      nc.request(COMMAND_SUBJECT, payload, { timeout: 5_000 })
        .then(async (m) => {
          const seq = Number(m.string());
          if (!Number.isSafeInteger(seq)) throw new Error(m.string());
          await readUpTo(seq);
          done(JSON.stringify({ seq }));
        })
        .catch(fail);
    } else if (req.url?.startsWith('/last/')) {
      const [, , stream, subject] = req.url.split('/');
      // A subject with no message is a 404: a miss costs less than a read and is no floor.
      jsm.direct.getMessage(stream!, { last_by_subj: subject! }).then((m) => (m ? done(JSON.stringify({ seq: m.seq })) : notFound()), fail);
    } else {
      notFound();
    }
  });
});
server.listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write('ready\n'));
