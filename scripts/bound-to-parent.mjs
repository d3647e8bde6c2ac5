#!/usr/bin/env node
// Runs a command that cannot watch its parent itself (the nats-server `pnpm start` launches)
// and stops it once the process that started this one is gone, so that no SIGKILL of
// `pnpm start`, nor of its process group, leaves it running.
//
//   node scripts/bound-to-parent.mjs <command> [args…]
//
// The parent is the pid in TOPDOG_PARENT_PID; its IPC channel closing, or this process being
// re-parented, tells that it is gone. The parent may send `{ waitFor: pid }` for each process
// that must stop before the command does (the services, which drain their NATS connections
// as they go): the command gets SIGTERM once they have exited, or after WAIT_MS, and SIGKILL
// KILL_MS later. SIGINT and SIGTERM are passed on to the command; this process exits as the
// command does.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

const WAIT_MS = 5_000;
const KILL_MS = 3_000;
const POLL_MS = 100;

const [command, ...args] = process.argv.slice(2);
if (!command) {
  process.stderr.write('usage: bound-to-parent.mjs <command> [args…]\n');
  process.exit(2);
}
const parent = Number(process.env.TOPDOG_PARENT_PID);
const waitFor = new Set();
const child = spawn(command, args, { stdio: 'inherit' });

function alive(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // A zombie has exited; only its new parent has not collected its status yet.
    return stat[stat.lastIndexOf(')') + 2] !== 'Z';
  } catch {
    if (existsSync('/proc/self')) return false;
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
const signalChild = (signal) => {
  if (child.exitCode === null && child.signalCode === null) child.kill(signal);
};

child.on('error', (err) => {
  process.stderr.write(`[bound-to-parent] ${command}: ${err.message}\n`);
  process.exit(1);
});
child.on('exit', (code, signal) => {
  // Exit as the command did; a signal is re-raised without our handlers in the way.
  if (signal) {
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  }
  process.exit(code ?? 1);
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => signalChild(signal));

let orphaned = false;
let poll;
async function parentGone() {
  if (orphaned) return;
  orphaned = true;
  clearInterval(poll);
  const deadline = Date.now() + WAIT_MS;
  while ([...waitFor].some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, POLL_MS));
  signalChild('SIGTERM');
  setTimeout(() => signalChild('SIGKILL'), KILL_MS).unref();
}

process.on('message', (message) => {
  if (!Number.isInteger(message?.waitFor)) return;
  for (const pid of waitFor) if (!alive(pid)) waitFor.delete(pid);
  waitFor.add(message.waitFor);
});
process.on('disconnect', parentGone);
if (Number.isInteger(parent) && parent > 0) {
  poll = setInterval(() => process.ppid !== parent && parentGone(), 500);
  if (process.ppid !== parent) parentGone();
}
