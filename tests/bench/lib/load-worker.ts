/**
 * The core of the benchmark's load workers (tests/bench/workers/*.ts, each run in its own process by
 * `runWorker`): the input from BENCH_WORKER_INPUT (JSON), autocannon posting one kind of request, the figures
 * every worker reports, and one JSON line on stdout (or the error on stderr and exit code 1).
 */
import autocannon from 'autocannon';

type Request = NonNullable<Parameters<typeof autocannon>[0]['requests']>[number];
type Result = Awaited<ReturnType<typeof autocannon>>;

/** What every HTTP load worker is given. */
export interface LoadInput {
  url: string;
  connections: number;
  duration: number;
  /** Bearer token of the requests. */
  token: string;
}

/**
 * Runs a worker: `main` gets the input (BENCH_WORKER_INPUT, JSON), what it resolves to goes as one JSON line to
 * stdout; on failure the error goes to stderr, exit code 1.
 */
export function runLoadWorker<T>(name: string, main: (input: T) => Promise<object>): void {
  Promise.resolve()
    .then(() => main(JSON.parse(process.env.BENCH_WORKER_INPUT ?? '{}') as T))
    .then(
      (out) => process.stdout.write(`${JSON.stringify(out)}\n`),
      (err: unknown) => {
        process.stderr.write(`${name} failed: ${err instanceof Error ? err.stack : String(err)}\n`);
        process.exit(1);
      },
    );
}

/** The headers of a JSON request with the input's bearer token. */
export function jsonHeaders(input: LoadInput, extra: Record<string, string> = {}): Record<string, string> {
  return { authorization: `Bearer ${input.token}`, 'content-type': 'application/json', ...extra };
}

/**
 * `input.connections` autocannon connections send `request` (POST, 30 s timeout) for `input.duration` s; the
 * answers are counted by status before `request.onResponse` sees them.
 */
export async function postLoad(
  input: LoadInput,
  request: Request,
): Promise<{ result: Result; statusCounts: Record<string, number> }> {
  const statusCounts: Record<string, number> = {};
  const result = await autocannon({
    url: input.url,
    connections: input.connections,
    duration: input.duration,
    timeout: 30,
    requests: [
      {
        method: 'POST',
        ...request,
        onResponse(status, body, context, headers) {
          statusCounts[status] = (statusCounts[status] ?? 0) + 1;
          request.onResponse?.(status, body, context, headers);
        },
      },
    ],
  });
  return { result, statusCounts };
}

/** A load's figures: `ok` the answers that count (rate per second of the run), latencies, failures by autocannon. */
export function loadFigures(result: Result, statusCounts: Record<string, number>, ok: number) {
  return {
    requestsPerSecond: ok / result.duration,
    ok,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.non2xx + result.errors + result.timeouts,
    statusCounts,
  };
}
