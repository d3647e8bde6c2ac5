/** Injection tokens of the projector's Nest module. */
export const LOGGER = Symbol('LOGGER');
export const PROJECTOR_QUERIES = Symbol('PROJECTOR_QUERIES');
export const PROJECTION = Symbol('PROJECTION');
