/** Injection tokens of the event-sourced runtime every service shares. */
export const MONGO_CONNECTION = Symbol('MONGO_CONNECTION');
export const EVENT_STORE = Symbol('EVENT_STORE');
export const KAFKA = Symbol('KAFKA');
/** The service's declaration ({@link ServiceDefinition}) with its projections resolved for this config. */
export const SERVICE = Symbol('SERVICE');
