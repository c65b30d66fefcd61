// The only public entry of @tracker/event-store. Framework-free: services wrap these in Nest providers.
export { EventStore, type EventStoreOptions } from './event-store';
export { ConcurrencyError, StreamNotFoundError, InvalidEventError } from './errors';
export type {
  ExpectedVersion,
  AppendOptions,
  ReadStreamOptions,
  ReadAllOptions,
  VerifyReport,
  BrokenEvent,
  AppendListener,
} from './types';
export { computeEventHash, canonicalJson, sha256Hex, hashedPart, HASHED_FIELDS, type HashedEnvelope } from './hash';
export { Upcasters, type Upcaster, type UpcasterDefinition } from './upcasters';
export { SnapshotStore, type Snapshot, type SnapshotStoreOptions } from './snapshot-store';
export {
  AggregateCache,
  handleCommand,
  loadAggregate,
  type HandleCommandOptions,
  type HandleCommandResult,
  type LoadOptions,
  type LoadedAggregate,
  type SnapshotPolicy,
} from './aggregate';
export type { StoredEvent } from './stored-event';
export { HashChainChecker, verifyExport, type ExportManifest, type ExportVerification, type StreamSummary } from './audit';
export type { OutboxBatch, OutboxBatchOptions, PositionRange } from './outbox';
export {
  DeciderSpecification,
  type DeciderGiven,
  type DeciderThen,
  type Given,
  type ErrorClass,
  type ErrorPredicate,
} from './testing/decider-spec';
export type { Decider, DecidedEvent } from '@tracker/contracts';
