export { IdempotencyStore, type StoredResponse, type IdempotencyOutcome } from './idempotency-store';
export { IdempotencyInterceptor } from './idempotency.interceptor';
