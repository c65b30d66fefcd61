// The only public entry of @tracker/mongo: MongoDB idioms written once for every library and service (no
// framework; the same on MongoDB and FerretDB).
export { DUPLICATE_KEY, isDuplicateKey, onlyDuplicateKeys, unlessDuplicate } from './duplicate-key';
export { applyOnce, guardedUpsert, type ApplyOnceGuard } from './apply-once';
