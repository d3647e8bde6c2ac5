// A private PostgreSQL server for the bench: Debian's packaged binaries (installed with apt when
// missing), a fresh cluster in a temporary directory on a free port, removed afterwards. The
// machine's own PostgreSQL, if any, is never used.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@topdog/testing';

export interface PostgresServer extends AsyncDisposable {
  connectionString: string;
}

function binDir(): string {
  const find = () => {
    const base = '/usr/lib/postgresql';
    if (!existsSync(base)) return undefined;
    const version = readdirSync(base)
      .filter((v) => existsSync(join(base, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a))[0];
    return version ? join(base, version, 'bin') : undefined;
  };
  const found = find();
  if (found) return found;
  process.stderr.write('PostgreSQL is not installed: installing it from Debian packages (apt-get install postgresql)\n');
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'postgresql'], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  const installed = find();
  if (!installed) throw new Error('PostgreSQL binaries not found after installing the postgresql package');
  return installed;
}

/** PostgreSQL refuses to run as root: as root, the cluster belongs to the postgres user. */
function asServerUser(command: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
}

export async function startPostgres(): Promise<PostgresServer> {
  const bin = binDir();
  const dir = mkdtempSync(join(tmpdir(), 'topdog-bench-pg-'));
  if (process.getuid?.() === 0) {
    chownSync(dir, Number(execFileSync('id', ['-u', 'postgres'])), Number(execFileSync('id', ['-g', 'postgres'])));
  }
  const data = join(dir, 'data');
  const [initdb, initArgs] = asServerUser(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-instructions']);
  execFileSync(initdb, initArgs, { stdio: 'ignore' });
  const port = await freePort();
  // Default durability (fsync and synchronous_commit on), as a production server runs.
  const [postgres, args] = asServerUser(join(bin, 'postgres'), [
    '-D',
    data,
    '-p',
    String(port),
    '-k',
    dir,
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'max_connections=200',
    '-c',
    'shared_buffers=256MB',
  ]);
  const child: ChildProcess = spawn(postgres, args, { stdio: 'ignore' });
  const connectionString = `postgresql://postgres@127.0.0.1:${port}/postgres`;
  for (let i = 0; ; i++) {
    try {
      execFileSync(join(bin, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
      break;
    } catch {
      if (i > 100 || child.exitCode !== null) throw new Error('the private PostgreSQL server did not start');
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    connectionString,
    async [Symbol.asyncDispose]() {
      const exited = child.exitCode === null ? new Promise((r) => child.once('exit', r)) : Promise.resolve();
      // Through pg_ctl: as root the child is runuser, which does not pass signals on.
      const [pgCtl, stopArgs] = asServerUser(join(bin, 'pg_ctl'), ['stop', '-D', data, '-m', 'fast', '-w']);
      execFileSync(pgCtl, stopArgs, { stdio: 'ignore' });
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
