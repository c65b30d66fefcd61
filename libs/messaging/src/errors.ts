/**
 * Thrown by a handler for a message that can never be processed, however often it is retried (a reference to
 * something that cannot exist, a payload the domain refuses). The consumer sends it to the DLQ at once.
 */
export class PermanentError extends Error {
  override readonly name = 'PermanentError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export function isPermanentError(err: unknown): boolean {
  return err instanceof PermanentError || (err as { name?: string } | null)?.name === 'PermanentError';
}

/**
 * What a failure says about the message:
 * - `unavailable`: a dependency (database, broker, network) is away; the message is fine and will be processed
 *   once it is back, however long that takes. Never a reason to dead-letter.
 * - `poison`: the message can never be processed (PermanentError: the domain refuses it, a bad shape).
 * - `unknown`: anything else (most likely a bug in the handler): retried a few times, then dead-lettered so that
 *   it can be re-driven after the fix.
 */
export type FailureKind = 'unavailable' | 'poison' | 'unknown';

/** Driver error classes that mean "the database or the broker cannot be reached right now". */
const UNAVAILABLE_NAMES = new Set([
  // MongoDB driver and mongoose
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoServerSelectionError',
  'MongooseServerSelectionError',
  'MongoTopologyClosedError',
  'MongoNotConnectedError',
  'MongoPoolClosedError',
  'MongoPoolClearedError',
  'MongoWaitQueueTimeoutError',
  'MongoOperationTimeoutError',
  'MongoStalePrimaryError',
  'MongoClientClosedError',
  'MongoServerClosedError',
  // kafkajs
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSNumberOfRetriesExceeded',
  'KafkaJSBrokerNotFound',
  'KafkaJSMetadataNotLoaded',
  'KafkaJSTopicMetadataNotLoaded',
  'KafkaJSStaleTopicMetadataAssignment',
  'KafkaJSLockTimeout',
  'KafkaJSTimeout',
  'KafkaJSNoBrokerAvailableError',
  'KafkaJSGroupCoordinatorNotFound',
]);

/**
 * MongoDB server codes of a node that is shutting down, stepping down, or not reachable from the one asked:
 * HostUnreachable, HostNotFound, NetworkTimeout, ShutdownInProgress, PrimarySteppedDown, ExceededTimeLimit,
 * SocketException, NotWritablePrimary, InterruptedAtShutdown, InterruptedDueToReplStateChange,
 * NotPrimaryNoSecondaryOk, NotPrimaryOrSecondary, MaxTimeMSExpired.
 */
const UNAVAILABLE_MONGO_CODES = new Set([6, 7, 89, 91, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436, 50]);

/** Node's socket and DNS errors, and undici's (fetch) connection failures. */
const UNAVAILABLE_SYSTEM_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
]);

/** Messages of failures that carry no better mark: a mongoose operation buffered while disconnected, SQLite busy. */
const UNAVAILABLE_MESSAGES = [/buffering timed out/i, /connection .* closed/i, /SQLITE_BUSY|database is locked/i, /client must be connected/i];

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  retriable?: unknown;
  errorLabels?: unknown;
  errorLabelSet?: unknown;
  cause?: unknown;
  originalError?: unknown;
  errors?: unknown;
}

function hasLabel(err: ErrorLike, label: string): boolean {
  if (Array.isArray(err.errorLabels) && err.errorLabels.includes(label)) return true;
  return err.errorLabelSet instanceof Set && err.errorLabelSet.has(label);
}

function unavailable(err: ErrorLike): boolean {
  const name = typeof err.name === 'string' ? err.name : '';
  if (UNAVAILABLE_NAMES.has(name)) return true;
  if (hasLabel(err, 'RetryableWriteError') || hasLabel(err, 'ResetPool') || hasLabel(err, 'TransientTransactionError')) return true;
  if (typeof err.code === 'number' && name.startsWith('Mongo') && UNAVAILABLE_MONGO_CODES.has(err.code)) return true;
  if (typeof err.code === 'string' && UNAVAILABLE_SYSTEM_CODES.has(err.code)) return true;
  // kafkajs marks what its own retries would wait out; a protocol error it calls retriable is a broker in transit.
  if (name.startsWith('KafkaJS') && err.retriable === true) return true;
  const message = typeof err.message === 'string' ? err.message : '';
  return UNAVAILABLE_MESSAGES.some((re) => re.test(message));
}

/** Classifies `err` by itself and what it wraps (`cause`, kafkajs' `originalError`, an AggregateError's errors). */
export function classifyFailure(err: unknown): FailureKind {
  const seen = new Set<unknown>();
  const walk = (e: unknown): FailureKind => {
    if (e === null || typeof e !== 'object' || seen.has(e)) return 'unknown';
    seen.add(e);
    if (isPermanentError(e)) return 'poison';
    const like = e as ErrorLike;
    if (unavailable(like)) return 'unavailable';
    const inner = [like.cause, like.originalError, ...(Array.isArray(like.errors) ? like.errors : [])];
    for (const i of inner) {
      const kind = walk(i);
      if (kind !== 'unknown') return kind;
    }
    return 'unknown';
  };
  return walk(err);
}
