import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from '@topdog/testing';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Starts a bench process (run with tsx) and waits for it to say it is ready. */
export function startProcess(script: string, env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && resolve(child));
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
}

export interface Baseline extends AsyncDisposable {
  url: string;
  /** The bare HTTP server's process (for its RSS and CPU). */
  pid: number;
  /** The process answering its NATS requests (for its CPU). */
  responderPid: number;
  /** The bare command path's writer and reader (for their CPU). */
  writerPid: number;
  readerPid: number;
}

/** The bare baseline: a node:http server doing plain NATS work; a responder, a writer and a reader, each in its own process. */
export async function startBaseline(natsUrl: string): Promise<Baseline> {
  const port = await freePort();
  const responder = await startProcess('bench/baseline/baseline-responder.ts', { NATS_URL: natsUrl });
  const writer = await startProcess('bench/baseline/baseline-writer.ts', { NATS_URL: natsUrl });
  const reader = await startProcess('bench/baseline/baseline-reader.ts', { NATS_URL: natsUrl });
  const server = await startProcess('bench/baseline/baseline-server.ts', { NATS_URL: natsUrl, PORT: String(port) });
  return {
    url: `http://127.0.0.1:${port}`,
    pid: server.pid!,
    responderPid: responder.pid!,
    writerPid: writer.pid!,
    readerPid: reader.pid!,
    async [Symbol.asyncDispose]() {
      for (const child of [server, responder, writer, reader]) child.kill();
    },
  };
}
