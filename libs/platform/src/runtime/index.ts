export { EVENT_STORE, KAFKA, MONGO_CONNECTION } from './tokens';
export { EventSourcedRuntime, type ConsumerDefinition, type EventConsumer, type ServiceRuntimeOptions } from './event-sourced-runtime';
export { ServiceRuntimeModule, type RuntimeConnectionSettings } from './service-runtime.module';
export { EventSourcedServiceConfig } from './runtime-config';
export { AuditController, VerifyQuery, ExportQuery } from './audit.controller';
