/** The bare command path's subjects and stream, shared by the baseline's server, writer and reader. */
export const COMMAND_SUBJECT = 'baseline.command';
export const APPLIED_SUBJECT = 'baseline.applied';
export const COMMANDS_STREAM = 'BASELINE_COMMANDS';
