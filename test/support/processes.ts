import { readdirSync, readFileSync } from 'node:fs';

/** Process tables as Linux's /proc shows them, for tests that look for leftover processes. */

const pids = (): number[] =>
  readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number);

const read = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

/** The process's state letter and parent pid; undefined once it is gone. */
function stat(pid: number): { state: string; ppid: number } | undefined {
  const text = read(`/proc/${pid}/stat`);
  // The command name is in parentheses and may itself hold spaces and parentheses.
  const fields = text?.slice(text.lastIndexOf(')') + 2).split(' ');
  return fields && fields.length > 1 ? { state: fields[0]!, ppid: Number(fields[1]) } : undefined;
}

/** Alive and not a zombie (a zombie has exited; only its parent has not read its status). */
export function running(pid: number): boolean {
  const s = stat(pid);
  return s !== undefined && s.state !== 'Z';
}

/** The running processes descended from `pid`. */
export function descendants(pid: number): number[] {
  const parents = new Map(pids().flatMap((p) => (running(p) ? [[p, stat(p)?.ppid ?? 0] as const] : [])));
  const found: number[] = [];
  let generation = [pid];
  while (generation.length > 0) {
    generation = [...parents].filter(([, ppid]) => generation.includes(ppid)).map(([p]) => p);
    found.push(...generation);
  }
  return found;
}

/**
 * The running processes (of this user: /proc hides others' environments) started with
 * `name=value` in their environment, which every process a launcher starts inherits: orphans
 * included, whatever they were re-parented to.
 */
export function processesWithEnv(name: string, value: string): number[] {
  const entry = `${name}=${value}`;
  return pids().filter((pid) => pid !== process.pid && running(pid) && (read(`/proc/${pid}/environ`)?.split('\0').includes(entry) ?? false));
}

/** The process's command line, for messages. */
export function commandLine(pid: number): string {
  return (read(`/proc/${pid}/cmdline`) ?? '').split('\0').join(' ').trim();
}

/** SIGKILLs each process, ignoring those already gone. */
export function killAll(pidList: Iterable<number>): void {
  for (const pid of pidList) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone already.
    }
  }
}
