import type { Command } from 'commander';
import type { CliContext } from '../cli-context';

/** replay: rebuild the read models from the event store, with a progress bar and events/s. */
export function registerReplayCommand(program: Command, ctx: CliContext): void {
  program
    .command('replay')
    .description('rebuild the read models from the event store, showing progress')
    .option('--reason <text>', 'why (logged by the projector)')
    .action((o: { reason?: string }) =>
      ctx.run(async ({ client, out }) => {
        const started = await client.rebuildReadModels(o.reason);
        const t0 = performance.now();
        let last = await client.readModelsProgress();
        for (;;) {
          const seconds = (performance.now() - t0) / 1000;
          const fraction = last.target === 0 ? 1 : Math.min(1, last.position / last.target);
          const rate = Math.round(last.events_applied / Math.max(seconds, 0.001));
          if (!out.json) {
            const bar = '#'.repeat(Math.round(fraction * 30)).padEnd(30, '.');
            process.stderr.write(`\r[${bar}] ${String(Math.round(fraction * 100)).padStart(3)}%  ${last.events_applied} events  ${rate} events/s`);
          }
          if (last.caught_up) {
            if (!out.json) process.stderr.write('\n');
            out.result(
              { instance_id: started.instance_id, events: last.events_applied, seconds: Number(seconds.toFixed(3)), events_per_second: rate },
              (v) => `rebuilt by ${v.instance_id}: ${v.events} events in ${v.seconds} s (${v.events_per_second} events/s)`,
            );
            return;
          }
          await new Promise((r) => setTimeout(r, 200));
          last = await client.readModelsProgress();
        }
      }),
    );
}
