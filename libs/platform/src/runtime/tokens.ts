/** Injection tokens of the event-sourced runtime every service shares. */
export const MONGO_CONNECTION = Symbol('MONGO_CONNECTION');
export const EVENT_STORE = Symbol('EVENT_STORE');
export const KAFKA = Symbol('KAFKA');
export const SERVICE_RUNTIME_OPTIONS = Symbol('SERVICE_RUNTIME_OPTIONS');
