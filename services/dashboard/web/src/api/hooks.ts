/** Lists through the APIs' cursors, one way for every page. */
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useCallback, useRef } from 'react';
import { get, query, type Service } from './client';
import type { Page } from './types';

const withCursor = (path: string, cursor: string | null, limit: number) =>
  `${path}${path.includes('?') ? '&' : '?'}${query({ limit, cursor }).slice(1)}`;

/** A list the user pages through ("load more"), `limit` items at a time. */
export function usePaged<T>(service: Service, path: string, { limit = 50, enabled = true } = {}) {
  const q = useInfiniteQuery({
    queryKey: [service, path, 'paged', limit],
    enabled,
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) => get<Page<T>>(service, withCursor(path, pageParam, limit), signal),
    getNextPageParam: (last) => last.nextCursor,
  });
  return { ...q, items: q.data?.pages.flatMap((p) => p.items) ?? [] };
}

/**
 * Every item of a list, following cursors up to `maxPages` pages of 100; `complete` says whether that was all
 * (a chart says so when it is not).
 */
/**
 * Every item of a list, following cursors up to `maxPages` pages of 100; `complete` says whether that was all.
 * `onPage` hears the count so far (progress of a long read).
 */
export async function fetchAllPages<T>(
  service: Service,
  path: string,
  {
    maxPages = Infinity,
    signal,
    onPage,
  }: { maxPages?: number; signal?: AbortSignal; onPage?: (count: number) => void } = {},
): Promise<{ items: T[]; complete: boolean }> {
  const items: T[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < maxPages; page++) {
    const p: Page<T> = await get<Page<T>>(service, withCursor(path, cursor, 100), signal);
    items.push(...p.items);
    onPage?.(items.length);
    cursor = p.nextCursor;
    if (!cursor) return { items, complete: true };
  }
  return { items, complete: false };
}

/** fetchAllPages as a query (a chart says so when the list was not complete). */
export function useAllPages<T>(service: Service, path: string, { maxPages = 20, enabled = true } = {}) {
  return useQuery({
    queryKey: [service, path, 'all', maxPages],
    enabled,
    queryFn: ({ signal }) => fetchAllPages<T>(service, path, { maxPages, signal }),
  });
}

/**
 * A query's refetchInterval while a read model that learns through Kafka (a moment after the service the user
 * changed) is behind: every second at first, every five after ten seconds, none once caught up, or `giveUpMs`
 * after the last change (`epoch`, e.g. the record's version), for a heuristic that may never see it caught up.
 */
export function useCatchUp({ giveUpMs = Infinity }: { giveUpMs?: number } = {}) {
  const since = useRef<{ at: number; epoch: unknown } | null>(null);
  return useCallback(
    (behind: boolean, epoch?: unknown): number | false => {
      if (!behind) {
        since.current = null;
        return false;
      }
      if (!since.current || since.current.epoch !== epoch) since.current = { at: Date.now(), epoch };
      const waited = Date.now() - since.current.at;
      if (waited > giveUpMs) return false;
      return waited < 10_000 ? 1_000 : 5_000;
    },
    [giveUpMs],
  );
}
