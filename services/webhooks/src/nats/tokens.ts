/** Injection tokens of the webhooks service's Nest module. */
export const LOGGER = Symbol('LOGGER');
export const WEBHOOKS_API = Symbol('WEBHOOKS_API');
