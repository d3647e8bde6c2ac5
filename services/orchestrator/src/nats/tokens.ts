/** Injection tokens of the orchestrator's Nest module. */
export const LOGGER = Symbol('LOGGER');
export const WORKFLOW_COMMANDS = Symbol('WORKFLOW_COMMANDS');
