// The only public entry of @tracker/messaging. Framework-free: services wrap these in Nest providers.
export {
  createKafka,
  createOrderedProducer,
  ensureTopics,
  RenewingProducer,
  type MessageSender,
  parseBrokers,
  type KafkaSettings,
  type TopicSpec,
} from './kafka';
export {
  CloudEventHeaders,
  encodeEnvelope,
  decodeMessage,
  envelopeProblems,
  headersToStrings,
  type DecodeResult,
} from './codec';
export { backoffDelay, defaultPauseBackoff, defaultRetryPolicy, retryRetriable, type RetryPolicy } from './backoff';
export { PermanentError, isPermanentError, classifyFailure, type FailureKind } from './errors';
export { Lease, type LeaseOptions } from './lease';
export { OutboxRelay, type OutboxRelayOptions, type OutboxRelayMetrics } from './outbox-relay';
export { ProcessedStore, type ProcessedRecord, type ProcessedStoreOptions } from './processed-store';
export {
  IdempotentConsumer,
  DlqHeaders,
  type IdempotentConsumerOptions,
  type ConsumerContext,
  type ConsumerMetrics,
  type EventHandler,
  type BatchHandler,
  type PartitionLag,
  type DlqReason,
} from './idempotent-consumer';
export { TopicReplay, type TopicReplayOptions, type TopicRange } from './topic-replay';
export { readTopicsToEnd, topicOffsets, topicSize, type TopicMessage, type ReadToEndOptions } from './topic-reader';
export {
  DeadLetters,
  RedriveHeaders,
  type DeadLetter,
  type DeadLetterFilter,
  type DeadLettersOptions,
  type DlqSummary,
  type RedriveCounts,
  type RedriveOptions,
} from './dlq';
