export { IdempotencyStore, type StoredResponse, type IdempotencyOutcome } from './idempotency-store';
export { IdempotencyInterceptor } from './idempotency.interceptor';
export { ProcessInstances, type ProcessInstancesOptions } from './instances';
export { requestEffects, newResourceId, derivedFromKey, markReplayed, type AppendIntent, type KeyedRequest } from './keyed-request';
