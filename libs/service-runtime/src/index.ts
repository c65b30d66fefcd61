/**
 * @tracker/service-runtime — the event-sourced side of a service: declare it once with `defineService({ name,
 * topic, api, aggregates, projections, reactors, controllers, providers })` and run `X.forRoot(config)`.
 *
 * - An aggregate (`defineAggregate`) is a pure decider and how its streams are named; `Aggregates.execute` runs
 *   a command against the event store and writes the aggregate's views before returning.
 * - A projection builds one read model: a store projection (`streamView`) views one of the service's own
 *   aggregates, a topic projection folds events from Kafka topics. The same object runs live (a consumer group
 *   each) and in a replay (`POST /admin/replays`).
 * - A reactor has side effects and runs live only, after the projection it reads.
 * Every service also gets `/audit/verify`, `/audit/export`, `/admin/replays`, `/admin/dlq` (dead letters: list,
 * re-drive), `/asyncapi.json` (the AsyncAPI document of the event topics) and readiness of MongoDB and Kafka.
 */
export { MONGO_CONNECTION, EVENT_STORE, KAFKA } from './tokens';
export { EventSourcedServiceConfig } from './config';
export { agreementOfStream, defineAggregate, type AggregateDefinition, type CommandContext, type ExecuteOptions } from './aggregate';
export { Aggregates, StoredButNotShownError } from './aggregates';
export {
  streamView,
  type Projection,
  type StoreProjection,
  type TopicProjection,
  type ReadModelCollection,
  type FoldedStream,
  type ReadModelDocument,
  type Projected,
} from './projections';
export type { EventReactor, ReactorDefinition } from './reactors';
export { ReadModels, Generation, type CollectionSource, type IndexDefinition } from './read-models';
export { ServiceRuntime } from './runtime';
export { defineService, ServiceModule } from './service.module';
export type { ServiceDefinition, DefinedService, ServiceModuleOptions, ResolvedService } from './service-definition';
export { consumedTopics } from './service-definition';
export { ReplayRunner, ReplayInProgressError, type ReplayStatus, type ReplayPhase } from './replay';
export { AuditController } from './audit.controller';
export { ReplayController } from './replay.controller';
export { DlqController, DeadLetterQuery } from './dlq.controller';
export { AsyncApiController } from './asyncapi.controller';
export { EventActor, EventHistory, StoredEvent } from './openapi';
export type { TwoClocks } from '@tracker/event-store';
export { eventsAt, knownBy, effectiveTimes, isCorrection } from '@tracker/event-store';
