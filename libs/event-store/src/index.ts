// The only public entry of @tracker/event-store. Framework-free: services wrap these in Nest providers.
export { EventStore, type EventStoreOptions } from './event-store';
export { ConcurrencyError, StreamNotFoundError, InvalidEventError } from './errors';
export type {
  ExpectedVersion,
  AppendOptions,
  ReadStreamOptions,
  ReadAllOptions,
  ReadStoredOptions,
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
export { eventKey, type StoredEvent, type LogEntry } from './stored-event';
export {
  EventAudit,
  HashChainChecker,
  verifyExport,
  type ExportManifest,
  type ExportOptions,
  type ExportVerification,
  type StreamSummary,
} from './audit';
// The store builds its outbox (`store.outbox`); the relay takes it.
export type { Outbox, OutboxBatch, OutboxBatchOptions, OutboxSource, PositionRange, PositionState } from './outbox';
export type { Decider, DecidedEvent } from '@tracker/contracts';
export { eventsAt, knownBy, effectiveTimes, isCorrection, type TwoClocks } from './bitemporal';
