/**
 * The client of the fault suite: sends one request and, when it gets no answer (connection refused or reset, a
 * timeout), a 5xx, a 429 or a 409 "in progress", sends the very same request again (same body, same
 * Idempotency-Key, same If-Match) until it gets another answer or its time is up. That is what a careful client
 * does, and what the services promise to make safe: a keyed creation retried after any crash gives one resource,
 * a change retried with its If-Match is applied at most once.
 */
import { sleep } from '../../bench/lib/util';

export interface Answer {
  /** The last status; null when the last attempt got no answer (then `gaveUp`). */
  status: number | null;
  body: unknown;
  replayed: boolean;
  attempts: number;
  /** Attempts without an answer (refused, reset, timed out). */
  unanswered: number;
  /** Attempts answered 5xx, 429 or 409 "in progress". */
  retriedAnswers: number;
  /** Still no final answer when the retry time was up. */
  gaveUp: boolean;
  ms: number;
}

export interface RetryPolicy {
  /** How long one request is retried, in ms. */
  retryMs: number;
  /** Timeout of one attempt, in ms. */
  attemptTimeoutMs: number;
}

/** 409 of a key whose first request still runs (libs/platform idempotency), as opposed to a version conflict. */
function inProgress(status: number, body: unknown): boolean {
  return status === 409 && /in progress/i.test(JSON.stringify(body ?? ''));
}

function retryable(status: number, body: unknown): boolean {
  return status >= 500 || status === 429 || inProgress(status, body);
}

export async function send(
  url: string,
  init: { method: 'GET' | 'POST'; headers: Record<string, string>; body?: unknown },
  policy: RetryPolicy,
): Promise<Answer> {
  const started = Date.now();
  const answer: Answer = {
    status: null,
    body: undefined,
    replayed: false,
    attempts: 0,
    unanswered: 0,
    retriedAnswers: 0,
    gaveUp: false,
    ms: 0,
  };
  let pause = 100;
  for (;;) {
    answer.attempts++;
    try {
      const res = await fetch(url, {
        method: init.method,
        headers: init.headers,
        ...(init.body !== undefined && { body: JSON.stringify(init.body) }),
        signal: AbortSignal.timeout(policy.attemptTimeoutMs),
      });
      const text = await res.text();
      answer.status = res.status;
      answer.replayed = res.headers.get('idempotent-replayed') === 'true';
      try {
        answer.body = text ? JSON.parse(text) : undefined;
      } catch {
        answer.body = text;
      }
      if (!retryable(res.status, answer.body)) break;
      answer.retriedAnswers++;
    } catch {
      answer.status = null;
      answer.body = undefined;
      answer.unanswered++;
    }
    if (Date.now() - started > policy.retryMs) {
      answer.gaveUp = true;
      break;
    }
    await sleep(pause * (0.5 + Math.random()));
    pause = Math.min(1000, pause * 2);
  }
  answer.ms = Date.now() - started;
  return answer;
}

export const ok = (a: Answer) => a.status !== null && a.status >= 200 && a.status < 300;

/**
 * Every item of a cursor-paged list (`{items, nextCursor}`, 100 a page) at `url` (with its query); throws when a
 * page is not answered 2xx within the policy's retries.
 */
export async function allPages<T>(
  url: string,
  headers: Record<string, string>,
  policy: RetryPolicy,
): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const page = `${url}${url.includes('?') ? '&' : '?'}limit=100${cursor ? `&cursor=${cursor}` : ''}`;
    const answer = await send(page, { method: 'GET', headers }, policy);
    if (!ok(answer)) throw new Error(`GET ${page} answered ${answer.status ?? 'nothing'}`);
    const body = answer.body as { items: T[]; nextCursor: string | null };
    items.push(...body.items);
    cursor = body.nextCursor;
  } while (cursor);
  return items;
}
