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
