export { IdempotencyStore, type StoredResponse, type IdempotencyOutcome } from './idempotency-store';
export { withIdempotency } from './with-idempotency';
