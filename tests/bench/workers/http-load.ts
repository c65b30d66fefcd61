/**
 * Scenario 1's load generator, in its own process: autocannon posts progress reports to the milestones service.
 * Each request takes a milestone no other request holds (so its If-Match version is right), and gives it back
 * with the new version from the ETag. Input: BENCH_WORKER_INPUT (JSON); output: one JSON line on stdout.
 */
import autocannon from 'autocannon';

interface Input {
  url: string;
  connections: number;
  duration: number;
  token: string;
  milestones: Array<{ id: string; version: number }>;
}

async function main() {
  const input = JSON.parse(process.env.BENCH_WORKER_INPUT ?? '{}') as Input;
  const free = [...input.milestones];
  const all = new Map(input.milestones.map((m) => [m.id, m]));
  let statusCounts: Record<string, number> = {};
  let n = 0;
  const result = await autocannon({
    url: input.url,
    connections: input.connections,
    duration: input.duration,
    timeout: 30,
    requests: [
      {
        method: 'POST',
        setupRequest(request, context) {
          // A free milestone; should none be free (requests failed without giving theirs back), share one.
          // autocannon may build a request twice before sending it: keep the milestone this context already holds.
          const held = typeof context.milestone === 'string' ? all.get(context.milestone) : undefined;
          const m = held ?? free.shift() ?? input.milestones[n % input.milestones.length];
          n++;
          context.milestone = m.id;
          const percent = n % 100;
          return {
            ...request,
            path: `/milestones/${m.id}/progress`,
            headers: { authorization: `Bearer ${input.token}`, 'content-type': 'application/json', 'if-match': `"${m.version}"` },
            body: JSON.stringify({ percent, note: `benchmark progress report ${n}: field work continues as planned`, evidence: [{ url: 'https://example.org/reports/progress.pdf' }] }),
          };
        },
        onResponse(status, _body, context, headers) {
          statusCounts[status] = (statusCounts[status] ?? 0) + 1;
          const m = all.get(context.milestone as string);
          const etag = headers.etag ?? headers.ETag;
          if (m && status === 200 && etag) {
            m.version = Number(String(etag).replace(/"/g, ''));
            free.push(m);
          }
        },
      },
    ],
  });
  const out = {
    requestsPerSecond: result['2xx'] / result.duration,
    ok: result['2xx'],
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.non2xx + result.errors + result.timeouts,
    statusCounts,
    milestones: [...all.values()],
  };
  statusCounts = {};
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`http-load failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
