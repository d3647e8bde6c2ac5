import type { JetStreamManager } from '@nats-io/jetstream';

/** The bare command path's subjects and stream, shared by the baseline's server, writer and reader. */
export const COMMAND_SUBJECT = 'baseline.command';
export const APPLIED_SUBJECT = 'baseline.applied';
export const COMMANDS_STREAM = 'BASELINE_COMMANDS';
/** The NestJS floors (framework-server.ts): their patterns, under the responder's prefix as our services' are. */
export const FRAMEWORK_PREFIX = 'baseline';
export const FRAMEWORK_PATTERN = 'framework.status';
export const FRAMEWORK_COMMAND_PATTERN = 'framework.command';
/** The subject the writer stores command `n` on. */
export const commandSubject = (n: number): string => `baseline.commands.${n}`;

/** Creates the commands' stream (the same settings from the writer and the reader: adding it again is a no-op). */
export async function ensureCommandsStream(jsm: JetStreamManager): Promise<void> {
  await jsm.streams.add({ name: COMMANDS_STREAM, subjects: ['baseline.commands.>'], storage: 'file' });
}
