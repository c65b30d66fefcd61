/**
 * The growth scenario's registration load, in its own process like scenario 1's: autocannon posts agreement
 * registrations (`POST /agreements`), each with a reference no other request uses.
 * Input: BENCH_WORKER_INPUT (JSON); output: one JSON line on stdout.
 */
import autocannon from 'autocannon';

interface Input {
  url: string;
  connections: number;
  duration: number;
  token: string;
  /** Prefix of this load's references (upper-case letters, digits, dashes). */
  referencePrefix: string;
  /** The registration's body (trUzMemorandum); each request gets its own reference and title. */
  body: Record<string, unknown>;
}

async function main() {
  const input = JSON.parse(process.env.BENCH_WORKER_INPUT ?? '{}') as Input;
  const statusCounts: Record<string, number> = {};
  let n = 0;
  const result = await autocannon({
    url: input.url,
    connections: input.connections,
    duration: input.duration,
    timeout: 30,
    requests: [
      {
        method: 'POST',
        path: '/agreements',
        setupRequest(request, context) {
          // autocannon may build a request twice before sending it: keep the reference this context holds.
          if (typeof context.reference !== 'string') context.reference = `${input.referencePrefix}-${++n}`;
          const reference = context.reference as string;
          return {
            ...request,
            headers: { authorization: `Bearer ${input.token}`, 'content-type': 'application/json' },
            body: JSON.stringify({ ...input.body, reference, title: `Benchmark memorandum ${reference}` }),
          };
        },
        onResponse(status, _body, context) {
          statusCounts[status] = (statusCounts[status] ?? 0) + 1;
          // A new reference for the next request, whatever the answer (a retry with the same one would be a conflict).
          context.reference = undefined;
        },
      },
    ],
  });
  const created = statusCounts['201'] ?? 0;
  process.stdout.write(
    `${JSON.stringify({
      requestsPerSecond: created / result.duration,
      ok: created,
      p50: result.latency.p50,
      p99: result.latency.p99,
      errors: result.non2xx + result.errors + result.timeouts,
      statusCounts,
    })}\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`register-load failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
