/**
 * The growth scenario's registration load, in its own process like scenario 1's: autocannon posts agreement
 * registrations (`POST /agreements`), each with a reference no other request uses.
 * Input: BENCH_WORKER_INPUT (JSON); output: one JSON line on stdout.
 */
import { jsonHeaders, loadFigures, postLoad, runLoadWorker, type LoadInput } from '../lib/load-worker';

interface Input extends LoadInput {
  /** Prefix of this load's references (upper-case letters, digits, dashes). */
  referencePrefix: string;
  /** The registration's body (trUzMemorandum); each request gets its own reference and title. */
  body: Record<string, unknown>;
}

runLoadWorker<Input>('register-load', async (input) => {
  let n = 0;
  const { result, statusCounts } = await postLoad(input, {
    path: '/agreements',
    setupRequest(request, context) {
      // autocannon may build a request twice before sending it: keep the reference this context holds.
      if (typeof context.reference !== 'string') context.reference = `${input.referencePrefix}-${++n}`;
      const reference = context.reference as string;
      return {
        ...request,
        headers: jsonHeaders(input),
        body: JSON.stringify({ ...input.body, reference, title: `Benchmark memorandum ${reference}` }),
      };
    },
    onResponse(_status, _body, context) {
      // A new reference for the next request, whatever the answer (a retry with the same one would be a conflict).
      context.reference = undefined;
    },
  });
  return loadFigures(result, statusCounts, statusCounts['201'] ?? 0);
});
