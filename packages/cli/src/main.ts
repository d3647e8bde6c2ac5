import { Command, CommanderError } from 'commander';
import { DEFAULT_URL } from './api-key-source';
import { createCliContext } from './cli-context';
import { registerApprovalCommands } from './commands/approval.commands';
import { registerAuditCommands } from './commands/audit.commands';
import { registerCompareCommand } from './commands/compare.command';
import { registerDoctorCommand } from './commands/doctor.command';
import { registerListCommand } from './commands/list.command';
import { registerKeysCommands } from './commands/keys.commands';
import { registerLiveCommands } from './commands/live.commands';
import { registerReplayCommand } from './commands/replay.command';
import { registerWebhooksCommands, webhookUrlArgs } from './commands/webhooks.commands';
import { registerWorkflowCommands } from './commands/workflow.commands';
import { EXIT } from './exit-codes';

// A reader that stops early (`topdog … | head`) closes the pipe: that ends the command, quietly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(process.exitCode ?? EXIT.OK);
  });
}

/** `topdog`: the TopDog REST API from a terminal. Readable output by default; --json for scripts. */
const program = new Command('topdog')
  .description('Drive and audit TopDog workflows through the gateway REST API.')
  .option('--url <url>', 'the gateway', process.env.TOPDOG_URL ?? DEFAULT_URL)
  .option('--api-key <key>', 'API key or token (default: TOPDOG_API_KEY; for the local gateway, .data/admin.key)')
  .option('--json', 'machine-readable output (JSON, or NDJSON for streams)')
  .showHelpAfterError()
  .exitOverride();

const ctx = createCliContext(() => {
  const o = program.opts<{ url: string; json?: boolean; apiKey?: string }>();
  return { url: o.url, json: !!o.json, apiKey: o.apiKey };
});
registerWorkflowCommands(program, ctx);
registerApprovalCommands(program, ctx);
registerListCommand(program, ctx);
registerLiveCommands(program, ctx);
registerAuditCommands(program, ctx);
registerCompareCommand(program, ctx);
registerReplayCommand(program, ctx);
registerKeysCommands(program, ctx);
registerWebhooksCommands(program, ctx);
registerDoctorCommand(program, ctx);

try {
  await program.parseAsync(webhookUrlArgs(process.argv));
} catch (err) {
  if (err instanceof CommanderError) process.exitCode = err.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
  else throw err;
}
