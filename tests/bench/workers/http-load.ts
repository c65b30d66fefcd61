/**
 * Scenario 1's load generator, in its own process: autocannon posts progress reports to the milestones service.
 * Each request takes a milestone no other request holds (so its If-Match version is right), and gives it back
 * with the new version from the ETag. Input: BENCH_WORKER_INPUT (JSON); output: one JSON line on stdout.
 */
import { jsonHeaders, loadFigures, postLoad, runLoadWorker, type LoadInput } from '../lib/load-worker';

interface Input extends LoadInput {
  milestones: Array<{ id: string; version: number }>;
}

runLoadWorker<Input>('http-load', async (input) => {
  const free = [...input.milestones];
  const all = new Map(input.milestones.map((m) => [m.id, m]));
  let n = 0;
  const { result, statusCounts } = await postLoad(input, {
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
        headers: jsonHeaders(input, { 'if-match': `"${m.version}"` }),
        body: JSON.stringify({
          percent,
          note: `benchmark progress report ${n}: field work continues as planned`,
          evidence: [{ url: 'https://example.org/reports/progress.pdf' }],
        }),
      };
    },
    onResponse(status, _body, context, headers) {
      const m = all.get(context.milestone as string);
      const etag = headers.etag ?? headers.ETag;
      if (m && status === 200 && etag) {
        m.version = Number(String(etag).replace(/"/g, ''));
        free.push(m);
      }
    },
  });
  return { ...loadFigures(result, statusCounts, result['2xx']), milestones: [...all.values()] };
});
