/** Injection tokens of the platform. */
export const PLATFORM_OPTIONS = Symbol('PLATFORM_OPTIONS');
/** The service's root pino logger (the same instance pino-http and nestjs-pino write through). */
export const PLATFORM_LOGGER = Symbol('PLATFORM_LOGGER');
/** The business clock ({@link Clock}). */
export const CLOCK = Symbol('CLOCK');
