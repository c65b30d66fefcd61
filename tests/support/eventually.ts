/**
 * Polls `check` until it stops throwing (or returns a truthy value), or the deadline passes.
 * Tests wait for a condition this way instead of sleeping a guessed amount of time.
 */
export async function eventually<T>(
  check: () => Promise<T> | T,
  { timeoutMs = 20000, intervalMs = 50 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const result = await check();
      if (result !== false && result !== undefined && result !== null) return result;
      lastError = new Error(`condition returned ${String(result)}`);
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) throw lastError;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
