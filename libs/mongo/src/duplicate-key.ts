/**
 * MongoDB's duplicate-key error (code 11000), also what FerretDB answers when a unique index refuses a write.
 * Every "the other writer won" in this code base is this error: an event at a taken (stream, version), a
 * document inserted twice, an upsert racing another, an Idempotency-Key reserved already.
 */
export const DUPLICATE_KEY = 11000;

interface WriteErrorLike {
  code?: number;
  err?: { code?: number };
}

/** The write errors of a bulk write (insertMany, bulkWrite), one or many; empty for a single write's error. */
function writeErrorCodes(err: unknown): Array<number | undefined> {
  const writeErrors = (err as { writeErrors?: WriteErrorLike | WriteErrorLike[] } | null)?.writeErrors;
  const list = Array.isArray(writeErrors) ? writeErrors : writeErrors ? [writeErrors] : [];
  return list.map((w) => w?.code ?? w?.err?.code);
}

/** Whether `err` is a duplicate-key refusal: of a single write, or of at least one write of a bulk write. */
export function isDuplicateKey(err: unknown): boolean {
  if ((err as { code?: unknown } | null)?.code === DUPLICATE_KEY) return true;
  return writeErrorCodes(err).includes(DUPLICATE_KEY);
}

/**
 * Whether every write a bulk write refused was refused as a duplicate (documents that were there already), so
 * the bulk write did all it had to. A single write's error counts by its own code.
 */
export function onlyDuplicateKeys(err: unknown): boolean {
  const codes = writeErrorCodes(err);
  if (codes.length === 0) return (err as { code?: unknown } | null)?.code === DUPLICATE_KEY;
  return codes.every((code) => code === DUPLICATE_KEY);
}

/**
 * Runs a write whose duplicate-key refusal means "already done" (an insert of a document that exists, a
 * version-guarded upsert meeting a newer document): true if it wrote, false if refused; other errors propagate.
 */
export async function unlessDuplicate(write: () => Promise<unknown>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (err) {
    if (isDuplicateKey(err)) return false;
    throw err;
  }
}

/**
 * Runs an upsert, and once more if it lost the insert to a concurrent one: FerretDB does not retry an upsert that
 * collides on `_id` as MongoDB does, and the second run finds the document and updates it.
 */
export async function upsertRetryingOnce<T>(upsert: () => Promise<T>): Promise<T> {
  try {
    return await upsert();
  } catch (err) {
    if (!isDuplicateKey(err)) throw err;
    return upsert();
  }
}
