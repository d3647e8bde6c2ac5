/** Injection tokens of the gateway's Nest module. */
export const WORKFLOW_API = Symbol('WORKFLOW_API');
export const READINESS = Symbol('READINESS');
export const AUDIT_API = Symbol('AUDIT_API');
export const LIVE_STREAMS = Symbol('LIVE_STREAMS');
export const EVENT_STORE = Symbol('EVENT_STORE');
export const ADMIN_API = Symbol('ADMIN_API');
export const WORKFLOW_LIST_API = Symbol('WORKFLOW_LIST_API');
export const API_KEYS_API = Symbol('API_KEYS_API');
export const COMPARE_API = Symbol('COMPARE_API');
export const WEBHOOKS_API = Symbol('WEBHOOKS_API');
