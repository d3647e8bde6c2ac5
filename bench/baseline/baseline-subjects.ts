import type { JetStreamManager } from '@nats-io/jetstream';

/** The bare command path's subjects and stream, shared by the baseline's server, writer and reader, and the NestJS command floor. */
export const COMMAND_SUBJECT = 'baseline.command';
export const APPLIED_SUBJECT = 'baseline.applied';
export const COMMANDS_STREAM = 'BASELINE_COMMANDS';
/**
 * What every baseline sends and stores (some 260 bytes): the bare request-reply's request, the
 * publish-ack's message, and the command both command paths store.
 */
export const PAYLOAD = { workflowId: '0b7c1f9e-3d2a-4e5f-9a8b-7c6d5e4f3a2b', aiResponse: 'x'.repeat(200) };
/** The NestJS floors (framework-server.ts): their patterns, under the responder's prefix as our services' are. */
export const FRAMEWORK_PREFIX = 'baseline';
export const FRAMEWORK_STATUS_PATTERN = 'framework.status';
export const FRAMEWORK_COMMAND_PATTERN = 'framework.command';
/** The subject the writer stores command `n` on. */
export const commandSubject = (n: number): string => `baseline.commands.${n}`;

/** Creates the commands' stream (the same settings from each process that uses it: adding it again is a no-op). */
export async function ensureCommandsStream(jsm: JetStreamManager): Promise<void> {
  await jsm.streams.add({ name: COMMANDS_STREAM, subjects: ['baseline.commands.>'], storage: 'file' });
}
