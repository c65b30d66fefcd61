// The only public entry of @tracker/mongo: MongoDB idioms written once for every library and service (no
// framework; the same on MongoDB and FerretDB).
export { DUPLICATE_KEY, isDuplicateKey, onlyDuplicateKeys, unlessDuplicate, upsertRetryingOnce } from './duplicate-key';
export {
  applyOnce,
  applyOnceDecision,
  applyOnceEach,
  documentFromUpdate,
  guardedUpsert,
  guardedUpsertDecision,
  rememberedVersion,
  type ApplyOnceGuard,
  type GuardDecision,
} from './apply-once';
export { addToSortedList, deleteIf, isFerretDb, removeFromSortedList, readModifyWrite, RETRY, unchanged, updateById, updateIf, valueAt, type ByIdFilter } from './by-id';
export { documentKey, lockedKeys, namespaceOf, withDocumentLock, withKeyLock } from './key-lock';
