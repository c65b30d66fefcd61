/**
 * First visits of the dashboard's pages in Chromium, each in a fresh browser context (empty cache, no session),
 * timed in the page itself: an init script watches the DOM (MutationObserver) and notes `performance.now()`
 * (ms since navigation start) when each landmark first appears: the first portfolio row, a chart whose SVG holds
 * its first filled shape (an empty chart has only axes), the agreement's facts. The baselines are visits of a
 * blank page of the same server (`/health/live`) that then fetch what the measured page fetches, in the same
 * order and with the same parallelism, with plain `fetch`: the browser floor and the data floor.
 *
 * The page code is written as strings: the tests' TypeScript has no DOM types, and a string is what reaches the
 * browser anyway.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { sleep } from '../lib/util';

/** Landmarks noted by the observer, by name. */
export type Mark = 'row' | 'statusChart' | 'dueChart' | 'facts' | 'timeline' | 'signIn';

const OBSERVER = `(() => {
  const marks = {};
  const visible = (el) => { if (!el) return false; const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
  const drawn = (sel) => {
    const host = document.querySelector(sel);
    const svg = host && host.querySelector('svg');
    return !!svg && !!svg.querySelector('path:not([fill="none"])') && !/: none$/.test(host.getAttribute('aria-label') || '') && visible(svg);
  };
  const checks = {
    row: () => visible(document.querySelector('table.portfolio tbody tr')),
    statusChart: () => drawn('[data-testid=chart-status]'),
    dueChart: () => drawn('[data-testid=chart-due]'),
    facts: () => visible(document.querySelector('.facts')),
    timeline: () => drawn('[data-testid=timeline]'),
    signIn: () => visible(document.querySelector('#api-key')),
  };
  const check = () => {
    const now = performance.now();
    for (const k in checks) if (!(k in marks) && checks[k]()) marks[k] = now;
  };
  window.__bench = { marks };
  new MutationObserver(check).observe(document, { childList: true, subtree: true, attributes: true, characterData: true });
})();`;

export interface Resource {
  /** Path and query of the request, origin removed. */
  path: string;
  start: number;
  end: number;
  /** Bytes as transferred (compressed), 0 if unknown. */
  transfer: number;
}

export interface Visit {
  marks: Partial<Record<Mark, number>>;
  resources: Resource[];
  /** What the page showed, to check the figures are of the page they claim (rows, chart labels...). */
  shown: Record<string, string | number>;
  /** Console errors and warnings, page errors and failed requests. */
  problems: string[];
}

export interface VisitOptions {
  key?: string;
  wait: Mark[];
  timeoutMs: number;
  /** A full-page screenshot once every landmark is there (and a second to settle). */
  screenshot?: string;
}

async function freshContext(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({ viewport: { width: 1400, height: 900 } });
}

function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning')
      problems.push(`console ${m.type()}: ${m.text().slice(0, 300)}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message.slice(0, 300)}`));
  page.on('requestfailed', (r) =>
    problems.push(`request failed: ${r.url()} (${r.failure()?.errorText ?? 'unknown'})`),
  );
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  return problems;
}

const RESOURCES = `performance.getEntriesByType('resource').map((e) => ({ path: e.name.replace(location.origin, ''), start: e.startTime, end: e.responseEnd, transfer: e.transferSize }))`;

/** What the page shows, for the record: rows, chart and timeline labels, milestones listed. */
const SHOWN = `(() => {
  const text = (sel) => { const el = document.querySelector(sel); return el ? (el.getAttribute('aria-label') || el.textContent || '').slice(0, 300) : ''; };
  return {
    rows: document.querySelectorAll('table.portfolio tbody tr').length,
    statusChart: text('[data-testid=chart-status]'),
    dueChart: text('[data-testid=chart-due]'),
    dueCaption: text('.charts figure:nth-of-type(2) figcaption'),
    timeline: text('[data-testid=timeline]'),
    milestones: document.querySelectorAll('li.milestone').length,
    heading: text('h1'),
  };
})()`;

/** Opens `url` in a fresh context and waits until every landmark of `wait` has appeared. */
export async function visit(browser: Browser, url: string, options: VisitOptions): Promise<Visit> {
  const context = await freshContext(browser);
  try {
    if (options.key) {
      // Signed in as the sign-in form would leave it: the key in sessionStorage (opaque about:blank has none).
      await context.addInitScript({
        content: `try { sessionStorage.setItem('tracker.apiKey', ${JSON.stringify(options.key)}); } catch {}`,
      });
    }
    await context.addInitScript({ content: OBSERVER });
    const page = await context.newPage();
    const problems = watchProblems(page);
    await page.goto(url, { waitUntil: 'commit' });
    const wanted = JSON.stringify(options.wait);
    // Polled from here: the dashboard's CSP (no 'unsafe-eval') refuses page.waitForFunction's predicate.
    const deadline = Date.now() + options.timeoutMs;
    while (
      !(await page.evaluate(
        `(() => { const m = window.__bench && window.__bench.marks; return !!m && ${wanted}.every((k) => k in m); })()`,
      ))
    ) {
      if (Date.now() > deadline) {
        const marks = await page.evaluate('window.__bench && window.__bench.marks').catch(() => undefined);
        throw new Error(
          `${url}: not every one of ${wanted} appeared within ${options.timeoutMs} ms (seen: ${JSON.stringify(marks)}; ${problems.slice(0, 5).join('; ')})`,
        );
      }
      await sleep(50);
    }
    const marks = (await page.evaluate('window.__bench.marks')) as Visit['marks'];
    const resources = (await page.evaluate(RESOURCES)) as Resource[];
    const shown = (await page.evaluate(SHOWN)) as Visit['shown'];
    if (options.screenshot) {
      await page.waitForTimeout(1000);
      await page.screenshot({ path: options.screenshot, fullPage: true });
    }
    return { marks, resources, shown, problems };
  } finally {
    await context.close();
  }
}

export interface Floor {
  /** The blank page: navigation start to its load event. */
  blank: number;
  /** ms from the first fetch's start to the end of each chain of requests (its JSON parsed). */
  data: Record<string, number>;
  /** Pages fetched per list. */
  pages: Record<string, number>;
  problems: string[];
}

/**
 * The page code of a data floor: three `/me` at once (what sign-in checks), then the lists in parallel, each
 * list page after page as the dashboard's useAllPages does.
 */
const FETCHER = `async (key, after) => {
  const headers = { Authorization: 'Bearer ' + key, Accept: 'application/json' };
  const get = async (path) => {
    const res = await fetch(path, { headers });
    const text = await res.text();
    if (!res.ok) throw new Error(path + ' answered ' + res.status + ': ' + text.slice(0, 200));
    return JSON.parse(text);
  };
  const t0 = performance.now();
  const data = {};
  const pages = {};
  await Promise.all(['agreements', 'milestones', 'alerts'].map((s) => get('/api/' + s + '/me')));
  data.me = performance.now() - t0;
  const all = async (name, path, maxPages) => {
    let cursor = null;
    for (let page = 0; page < maxPages; page++) {
      const q = new URLSearchParams({ limit: '100' });
      if (cursor) q.set('cursor', cursor);
      const p = await get(path + (path.includes('?') ? '&' : '?') + q);
      pages[name] = page + 1;
      cursor = p.nextCursor;
      if (!cursor) break;
    }
    data[name] = performance.now() - t0;
  };
  const one = async (name, path) => { await get(path); data[name] = performance.now() - t0; };
  await after({ all, one, get, data, t0 });
  return { data, pages };
}`;

/** Requests of the portfolio page (services/dashboard/web/src/pages/Portfolio.tsx, lib/code-lists.ts). */
const PORTFOLIO_REQUESTS = `async ({ all, one }) => {
  await Promise.all([
    one('agreements', '/api/agreements/agreements?limit=100'),
    one('commodities', '/api/agreements/agreements/commodities'),
    all('alerts', '/api/alerts/alerts?status=open', 20),
    all('scheduled', '/api/milestones/milestones?status=scheduled', 10),
    all('inProgress', '/api/milestones/milestones?status=inProgress', 10),
  ]);
}`;

/** Requests of the agreement page (pages/Agreement.tsx, components/MilestoneList.tsx), for a monitor. */
const agreementRequests = (id: string) => `async ({ one }) => {
  await one('agreement', '/api/agreements/agreements/${id}');
  await Promise.all([
    one('timeline', '/api/milestones/agreements/${id}/timeline'),
    one('milestones', '/api/milestones/milestones?agreementId=${id}&limit=100'),
    one('alerts', '/api/alerts/alerts?agreementId=${id}&status=open&limit=20'),
  ]);
}`;

async function floor(browser: Browser, baseUrl: string, key: string, requests: string): Promise<Floor> {
  const context = await freshContext(browser);
  try {
    const page = await context.newPage();
    const problems = watchProblems(page);
    await page.goto(`${baseUrl}/health/live`, { waitUntil: 'load' });
    const blank = (await page.evaluate(
      `performance.getEntriesByType('navigation')[0].loadEventEnd`,
    )) as number;
    const result = (await page.evaluate(`(${FETCHER})(${JSON.stringify(key)}, ${requests})`)) as {
      data: Record<string, number>;
      pages: Record<string, number>;
    };
    return { blank, ...result, problems };
  } finally {
    await context.close();
  }
}

export const portfolioFloor = (browser: Browser, baseUrl: string, key: string) =>
  floor(browser, baseUrl, key, PORTFOLIO_REQUESTS);
export const agreementFloor = (browser: Browser, baseUrl: string, key: string, agreementId: string) =>
  floor(browser, baseUrl, key, agreementRequests(agreementId));

/** A request's path without its cursor, so the pages of one list group together. */
export function requestGroup(path: string): string {
  return path
    .replace(/[?&]cursor=[^&]*/, '')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, ':id');
}
