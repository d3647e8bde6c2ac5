/** Injection tokens of the llm-runner's Nest module. */
export const LOGGER = Symbol('LOGGER');
export const PROVIDERS_REPORT = Symbol('PROVIDERS_REPORT');
