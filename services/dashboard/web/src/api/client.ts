/**
 * The one way the dashboard calls a service: `/api/<service>/<path>` on this origin (the dashboard server proxies
 * it), the session's API key as the bearer token, problem details turned into an ApiError with field messages.
 */
import { fieldErrorsOf, type FieldErrors } from '../lib/forms';

export type Service = 'agreements' | 'milestones' | 'alerts';

const KEY = 'tracker.apiKey';
export const SIGNED_OUT = 'tracker:key-refused';

/** The API key lives in sessionStorage: gone when the browser session ends, never in a cookie or a URL. */
export const session = {
  key: (): string | null => sessionStorage.getItem(KEY),
  set: (key: string) => sessionStorage.setItem(KEY, key),
  clear: () => sessionStorage.removeItem(KEY),
};

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly fields: FieldErrors,
    readonly correlationId?: string,
  ) {
    super(detail || title);
  }
  /** Someone else changed the record since it was read. */
  get stale(): boolean {
    return this.status === 409 || this.status === 412 || this.status === 428;
  }
}

export interface ApiResponse<T> {
  data: T;
  etag: string | null;
  location: string | null;
}

export interface CallOptions {
  method?: 'GET' | 'POST' | 'DELETE';
  body?: unknown;
  ifMatch?: string | number;
  idempotencyKey?: string;
  signal?: AbortSignal;
}

export const url = (service: Service, path: string) => `/api/${service}${path}`;

export function authHeaders(): Record<string, string> {
  const key = session.key();
  return key ? { Authorization: `Bearer ${key}` } : {};
}

export async function call<T>(
  service: Service,
  path: string,
  options: CallOptions = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { Accept: 'application/json', ...authHeaders() };
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  if (options.ifMatch !== undefined) headers['If-Match'] = `"${options.ifMatch}"`;
  if (options.idempotencyKey) headers['Idempotency-Key'] = options.idempotencyKey;
  let res: Response;
  try {
    res = await fetch(url(service, path), {
      method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(
      0,
      'No connection',
      `The dashboard could not be reached (${(err as Error).message}). Check your connection and try again.`,
      {},
    );
  }
  const text = await res.text();
  let body: unknown = null;
  if (text && (res.headers.get('content-type') ?? '').includes('json')) {
    try {
      body = JSON.parse(text);
    } catch {
      body = null;
    }
  }
  // The key was revoked or expired while signed in: the app signs out (auth.tsx listens).
  if (res.status === 401 && path !== '/me') window.dispatchEvent(new Event(SIGNED_OUT));
  if (!res.ok) {
    const p = (body ?? {}) as { title?: string; detail?: string; errors?: unknown; correlationId?: string };
    throw new ApiError(
      res.status,
      p.title ?? res.statusText,
      p.detail ?? (text && !body ? text.slice(0, 300) : ''),
      fieldErrorsOf(p.errors),
      p.correlationId,
    );
  }
  return { data: (body ?? text) as T, etag: res.headers.get('etag'), location: res.headers.get('location') };
}

export const get = async <T>(service: Service, path: string, signal?: AbortSignal): Promise<T> =>
  (await call<T>(service, path, { signal })).data;

/** A query string from the set values only. */
export function query(params: Record<string, string | number | boolean | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** Downloads a response as a file (exports), with the bearer token a plain link could not send. */
export async function download(
  service: Service,
  path: string,
  filename: string,
  onProgress?: (bytes: number) => void,
): Promise<number> {
  const res = await fetch(url(service, path), { headers: authHeaders() });
  if (!res.ok || !res.body) throw new ApiError(res.status, res.statusText, await res.text(), {});
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    bytes += value.length;
    onProgress?.(bytes);
  }
  saveBlob(
    new Blob(chunks as BlobPart[], { type: res.headers.get('content-type') ?? 'application/octet-stream' }),
    filename,
  );
  return bytes;
}

export function saveBlob(blob: Blob, filename: string): void {
  const href = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = href;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
}
