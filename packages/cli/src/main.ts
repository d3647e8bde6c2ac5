import { Command, CommanderError } from 'commander';
import { createCliContext } from './cli-context';
import { registerAuditCommands } from './commands/audit.commands';
import { registerListCommand } from './commands/list.command';
import { registerLiveCommands } from './commands/live.commands';
import { registerReplayCommand } from './commands/replay.command';
import { registerWorkflowCommands } from './commands/workflow.commands';
import { EXIT } from './exit-codes';

/** `topdog`: the TopDog REST API from a terminal. Readable output by default; --json for scripts. */
const program = new Command('topdog')
  .description('Drive and audit TopDog workflows through the gateway REST API.')
  .option('--url <url>', 'the gateway', process.env.TOPDOG_URL ?? 'http://127.0.0.1:3000')
  .option('--json', 'machine-readable output (JSON, or NDJSON for streams)')
  .showHelpAfterError()
  .exitOverride();

const ctx = createCliContext(() => {
  const o = program.opts<{ url: string; json?: boolean }>();
  return { url: o.url, json: !!o.json };
});
registerWorkflowCommands(program, ctx);
registerListCommand(program, ctx);
registerLiveCommands(program, ctx);
registerAuditCommands(program, ctx);
registerReplayCommand(program, ctx);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) process.exitCode = err.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
  else throw err;
}
