import { readFileSync } from 'node:fs';

/** Resident set size of a process in MB, from the kernel's own accounting (/proc/<pid>/status). */
export function rssMb(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]) / 1024;
}

/** Samples the processes' RSS every `everyMs` until stopped; returns each one's peak. */
export function samplePeakRss(pids: Record<string, number>, everyMs = 250): { stop(): Record<string, number> } {
  const peaks: Record<string, number> = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, rssMb(pid)]));
  const timer = setInterval(() => {
    for (const [name, pid] of Object.entries(pids)) {
      try {
        peaks[name] = Math.max(peaks[name]!, rssMb(pid));
      } catch {
        // the process is gone; keep its last peak
      }
    }
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return peaks;
    },
  };
}
