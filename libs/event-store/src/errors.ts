import type { ExpectedVersion } from './types';

/**
 * A writer expected the stream at one version and found it at another (or lost the race for the next version).
 * Maps to HTTP 409. `actualVersion` is read after the conflict (0 = the stream does not exist).
 */
export class ConcurrencyError extends Error {
  override readonly name = 'ConcurrencyError';
  constructor(
    readonly streamId: string,
    readonly expectedVersion: ExpectedVersion,
    readonly actualVersion: number,
    /**
     * Events of this append that were stored before the conflict (only possible for a multi-event append racing
     * a writer that already read its first events; see docs/adr/0003). Usually 0.
     */
    readonly appendedBeforeConflict = 0,
  ) {
    super(
      `stream ${streamId}: expected version ${String(expectedVersion)}, actual version ${actualVersion}` +
        (appendedBeforeConflict ? ` (${appendedBeforeConflict} event(s) of this append were stored)` : ''),
    );
  }
}

/** Reading a stream that must exist but does not. Maps to HTTP 404. */
export class StreamNotFoundError extends Error {
  override readonly name = 'StreamNotFoundError';
  constructor(readonly streamId: string) {
    super(`stream ${streamId} not found`);
  }
}

/** An event or append request that can never be stored as given (bad stream id, non-JSON data, dotted keys...). */
export class InvalidEventError extends Error {
  override readonly name = 'InvalidEventError';
  constructor(message: string) {
    super(message);
  }
}
