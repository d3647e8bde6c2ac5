import { freePort } from '@topdog/testing';
import { startProcess } from './baseline';

/**
 * The NestJS floors (bench/baseline/framework-*.ts): a NestJS server on Fastify and a Nest
 * microservice, each in its own process, answering what a status or a complete-phase answer
 * carries with none of our endpoints' work. The command floor's reader is the bare baseline's:
 * start it (startBaseline) on the same NATS first, or every command times out.
 */
export interface FrameworkFloor extends AsyncDisposable {
  url: string;
  /** The NestJS HTTP server's process (for its CPU). */
  pid: number;
  /** The Nest microservice: the status floor's responder, the command floor's writer (for its CPU). */
  microservicePid: number;
}

export async function startFrameworkFloor(natsUrl: string): Promise<FrameworkFloor> {
  const port = await freePort();
  const responder = await startProcess('bench/baseline/framework-responder.ts', { NATS_URL: natsUrl });
  const server = await startProcess('bench/baseline/framework-server.ts', { NATS_URL: natsUrl, PORT: String(port) }).catch((err: unknown) => {
    responder.kill();
    throw err;
  });
  return {
    url: `http://127.0.0.1:${port}`,
    pid: server.pid!,
    microservicePid: responder.pid!,
    async [Symbol.asyncDispose]() {
      for (const child of [server, responder]) child.kill();
    },
  };
}
