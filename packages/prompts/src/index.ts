export * from './prompt-context';
export * from './prompt-library';
export * from './build-prompt';
export * from './output-schemas';
export * from './prompt-interning';
export * from './structured-answer';
export * from './phase-answer';

/** Defaults of the original system, used unless a workflow sets its own. */
export const DEFAULT_TEMPERATURE = 0.7;
export const DEFAULT_MAX_TOKENS = 2000;
