/**
 * `npm run bench:dashboard`: the dashboard's portfolio and agreement pages over a portfolio of 500 agreements and
 * 5,000 milestones (tracker issue 16): time to first render in Chromium and the JavaScript bundle size, each next
 * to a baseline measured in the same run. Starts what it needs like `npm run bench` (deploy/local/infra.sh
 * unless KAFKA_BROKERS and MONGO_URL are set; the three services as child processes on free ports with a fresh
 * database and topic prefix), seeds through the services' HTTP APIs, builds the dashboard into a folder of its
 * own and serves it in this process, prints a Markdown table (also written to
 * tests/bench/results/dashboard-latest.md and .json), and stops and deletes whatever it started or created.
 * Progress goes to stderr. See tests/bench/README.md.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { mongo } from 'mongoose';
import type { Browser } from 'playwright-core';
import { buildDashboard, launchBrowser, startDashboard, type RunningDashboard } from '../support/browser';
import type { Row } from './lib/context';
import {
  analyseBuild,
  ECHARTS,
  kib,
  originBytes,
  REACT,
  topOrigins,
  total,
  type BuiltFile,
} from './lib/bundle';
import {
  ensureInfra,
  localVersions,
  MONITOR,
  RESULTS_DIR,
  ROOT,
  settled,
  startService,
  stopInfra,
  type Infra,
  type Service,
} from './lib/stack';
import { resultsTable } from './lib/table';
import { fmt, median, progress, runAsMain, runningChildren, sleep } from './lib/util';
import {
  agreementFloor,
  portfolioFloor,
  requestGroup,
  visit,
  type Floor,
  type Visit,
} from './scenarios/dashboard-pages';
import { seedPortfolio, type Seeded } from './scenarios/dashboard-seed';

interface DashboardOptions {
  smoke: boolean;
  agreements: number;
  milestonesPerAgreement: number;
  reps: number;
  /** Seeding requests in flight at once. */
  concurrency: number;
}

const FLAGS: Record<string, keyof DashboardOptions> = {
  agreements: 'agreements',
  'milestones-per-agreement': 'milestonesPerAgreement',
  reps: 'reps',
  concurrency: 'concurrency',
};

const USAGE = `npm run bench:dashboard -- [--smoke] [--out=DIR] ${Object.keys(FLAGS)
  .map((f) => `[--${f}=N]`)
  .join(' ')}
Defaults: --agreements=500 --milestones-per-agreement=10 --reps=5 --concurrency=6; --smoke: 20 × 3, one repetition.
Each flag also reads from BENCH_<NAME> (e.g. BENCH_AGREEMENTS=100). KAFKA_BROKERS + MONGO_URL: use that Kafka and
database instead of starting deploy/local/infra.sh. CHROMIUM_PATH: another Chromium than /usr/bin/chromium.`;

function parseOptions(argv: readonly string[], env: NodeJS.ProcessEnv): DashboardOptions {
  const smoke = argv.includes('--smoke') || env.BENCH_SMOKE === '1';
  const options: DashboardOptions = smoke
    ? { smoke, agreements: 20, milestonesPerAgreement: 3, reps: 1, concurrency: 6 }
    : { smoke, agreements: 500, milestonesPerAgreement: 10, reps: 5, concurrency: 6 };
  for (const [flag, key] of Object.entries(FLAGS)) {
    const raw =
      argv.find((a) => a.startsWith(`--${flag}=`))?.split('=')[1] ??
      env[`BENCH_${flag.toUpperCase().replace(/-/g, '_')}`];
    if (raw === undefined || raw === '') continue;
    const value = Number(raw);
    if (!Number.isInteger(value) || value <= 0)
      throw new Error(`--${flag} must be a positive whole number (got "${raw}")`);
    (options as unknown as Record<string, number>)[key] = value;
  }
  return options;
}

/** One repetition: every page visit and baseline, in a fresh browser context each. */
interface Repetition {
  portfolio: Visit;
  agreement: Visit;
  signIn: Visit;
  portfolioFloor: Floor;
  agreementFloor: Floor;
  /** The machine's 1-minute load average as the repetition began (others' processes share the 2 cores). */
  load: number;
}

const PAGE_TIMEOUT_MS = 180_000;
const BUNDLE = "Bundle (this run's build)";
const KEY = 'dev-monitor';

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { headers: MONITOR });
  if (!res.ok) throw new Error(`GET ${url} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
  return (await res.json()) as T;
}

/** Items of a list, page after page. */
async function countAll(url: string): Promise<number> {
  let count = 0;
  let cursor: string | null = null;
  do {
    const q = new URLSearchParams({ limit: '100', ...(cursor && { cursor }) });
    const page: { items: unknown[]; nextCursor: string | null } = await getJson(
      `${url}${url.includes('?') ? '&' : '?'}${q}`,
    );
    count += page.items.length;
    cursor = page.nextCursor;
  } while (cursor);
  return count;
}

/** Until the agreements service's view of the measured agreement counts its milestones and slips (Kafka). */
async function measuredAgreementReady(
  agreementsUrl: string,
  seeded: Seeded,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const a = await getJson<{ milestones: { planned: number; slipped: number } }>(
      `${agreementsUrl}/agreements/${seeded.measured.id}`,
    );
    if (
      a.milestones.planned === seeded.measured.milestones &&
      a.milestones.slipped === seeded.measured.slipped
    )
      return;
    if (Date.now() > deadline)
      throw new Error(
        `agreement ${seeded.measured.reference} shows ${JSON.stringify(a.milestones)}, expected ${seeded.measured.milestones} planned, ${seeded.measured.slipped} slipped`,
      );
    await sleep(1000);
  }
}

async function repetition(
  browser: Browser,
  url: string,
  agreementId: string,
  screenshots?: string,
): Promise<Repetition> {
  const load = os.loadavg()[0];
  const wait = { timeoutMs: PAGE_TIMEOUT_MS };
  // Baselines and pages alternate so that a slower moment of the machine does not fall on one side only.
  const portfolioBase = await portfolioFloor(browser, url, KEY);
  const portfolio = await visit(browser, `${url}/`, {
    ...wait,
    key: KEY,
    wait: ['row', 'statusChart', 'dueChart'],
    screenshot: screenshots && `${screenshots}-portfolio.png`,
  });
  const agreementBase = await agreementFloor(browser, url, KEY, agreementId);
  const agreement = await visit(browser, `${url}/agreements/${agreementId}`, {
    ...wait,
    key: KEY,
    wait: ['facts', 'timeline'],
    screenshot: screenshots && `${screenshots}-agreement.png`,
  });
  const signIn = await visit(browser, `${url}/`, { ...wait, wait: ['signIn'] });
  return { portfolio, agreement, signIn, portfolioFloor: portfolioBase, agreementFloor: agreementBase, load };
}

const mark = (v: Visit, name: keyof Visit['marks']) => v.marks[name] ?? Number.NaN;

/** Median start and end (ms since navigation start) of each group of requests a page made, in order of start. */
function requestTable(visits: Visit[], title: string): string[] {
  const groups = new Map<string, Array<{ count: number; start: number; end: number }>>();
  for (const v of visits) {
    const perVisit = new Map<string, { count: number; start: number; end: number }>();
    for (const r of v.resources) {
      const g = requestGroup(r.path);
      const e = perVisit.get(g) ?? { count: 0, start: Infinity, end: 0 };
      perVisit.set(g, { count: e.count + 1, start: Math.min(e.start, r.start), end: Math.max(e.end, r.end) });
    }
    for (const [g, e] of perVisit) groups.set(g, [...(groups.get(g) ?? []), e]);
  }
  const rows = [...groups].map(([g, list]) => ({
    g,
    count: median(list.map((e) => e.count)),
    start: median(list.map((e) => e.start)),
    end: median(list.map((e) => e.end)),
  }));
  rows.sort((a, b) => a.start - b.start);
  return [
    `| ${title} | Requests | First starts | Last ends |`,
    '| --- | ---: | ---: | ---: |',
    ...rows.map((r) => `| \`${r.g}\` | ${fmt(r.count, 0)} | ${fmt(r.start, 0)} ms | ${fmt(r.end, 0)} ms |`),
  ];
}

/** Build files a visit loaded (its resource entries under /assets/). */
function loadedFiles(files: BuiltFile[], v: Visit | undefined): BuiltFile[] {
  const names = new Set((v?.resources ?? []).map((r) => r.path.split('?')[0].replace(/^\//, '')));
  return files.filter((f) => names.has(f.name));
}

interface Report {
  markdown: string;
  rows: Row[];
  notes: string[];
}

function buildReport(input: {
  options: DashboardOptions;
  started: Date;
  seconds: number;
  environment: string[];
  seeded: Seeded;
  counts: Record<string, number>;
  settleSeconds: number;
  reps: Repetition[];
  staticDir: string;
}): Report {
  const { options, seeded, counts, reps } = input;
  const med = (f: (r: Repetition) => number) => median(reps.map(f));
  const pf = (r: Repetition) => r.portfolioFloor;
  const af = (r: Repetition) => r.agreementFloor;
  const blank = (r: Repetition) => (r.portfolioFloor.blank + r.agreementFloor.blank) / 2;
  const charts = (r: Repetition) => Math.max(mark(r.portfolio, 'statusChart'), mark(r.portfolio, 'dueChart'));
  const chartsData = (r: Repetition) =>
    Math.max(pf(r).data.agreements, pf(r).data.scheduled, pf(r).data.inProgress);
  const pages = reps[0]?.portfolioFloor.pages ?? {};
  const milestones = seeded.planned;
  const portfolioName = `Portfolio \`/\` (${fmt(options.agreements, 0)} agreements, ${fmt(milestones, 0)} milestones)`;
  const agreementName = `Agreement \`/agreements/:id\` (${seeded.measured.milestones} milestones, ${seeded.measured.slips} slips)`;
  const ms = (v: number) => `${fmt(v, 0)} ms`;

  const rows: Row[] = [
    {
      scenario: portfolioName,
      metric: 'first agreement row',
      tracker: med((r) => mark(r.portfolio, 'row')),
      baseline: med((r) => blank(r) + pf(r).data.agreements),
      baselineWhat: `blank page (${ms(med(blank))}) + the page's requests fetched in it (${ms(med((r) => pf(r).data.agreements))}): 3 × \`/me\`, then \`/agreements?limit=100\``,
      unit: 'ms',
    },
    {
      scenario: portfolioName,
      metric: 'both charts drawn',
      tracker: med(charts),
      baseline: med((r) => blank(r) + chartsData(r)),
      baselineWhat: `blank page + 3 × \`/me\`, then in parallel the agreements (1 page), open alerts (${pages.alerts ?? '?'} pages), scheduled (${pages.scheduled ?? '?'}) and in-progress milestones (${pages.inProgress ?? '?'} pages of 100, one after the other): ${ms(med(chartsData))}`,
      unit: 'ms',
    },
    {
      scenario: agreementName,
      metric: 'facts shown',
      tracker: med((r) => mark(r.agreement, 'facts')),
      baseline: med((r) => blank(r) + af(r).data.agreement),
      baselineWhat: `blank page + 3 × \`/me\`, then \`/agreements/:id\` (${ms(med((r) => af(r).data.agreement))})`,
      unit: 'ms',
    },
    {
      scenario: agreementName,
      metric: 'timeline drawn',
      tracker: med((r) => mark(r.agreement, 'timeline')),
      baseline: med((r) => blank(r) + af(r).data.timeline),
      baselineWhat: `blank page + 3 × \`/me\`, \`/agreements/:id\`, then \`/agreements/:id/timeline\` beside the milestones and alerts lists (${ms(med((r) => af(r).data.timeline))})`,
      unit: 'ms',
    },
    {
      scenario: 'App shell',
      metric: 'sign-in form (no key: no API call)',
      tracker: med((r) => mark(r.signIn, 'signIn')),
      baseline: med(blank),
      baselineWhat: 'blank page of the same server (`/health/live`), navigation start to its load event',
      unit: 'ms',
    },
  ];

  // Sizes: the files of this run's build; which of them each page loaded, from its first measured visit.
  const build = analyseBuild(input.staticDir);
  const js = build.files.filter((f) => f.kind === 'js');
  const css = build.files.filter((f) => f.kind === 'css');
  const entry = build.files.filter((f) => build.entry.includes(f.name));
  const portfolioFiles = loadedFiles(build.files, reps[0]?.portfolio);
  const agreementFiles = loadedFiles(build.files, reps[0]?.agreement);
  const libraries = [...REACT, ...ECHARTS];
  const thirdParty = (o: string) => !['dashboard', 'libs/contracts', '(unmapped)', '(other)'].includes(o);
  const echartsFull = statSync(path.join(ROOT, 'node_modules/echarts/dist/echarts.min.js')).size;
  const echartsSimple = statSync(path.join(ROOT, 'node_modules/echarts/dist/echarts.simple.min.js')).size;
  const sizeRows = (
    metric: string,
    files: BuiltFile[],
    base: { raw: number; gzip: number },
    baseWhat: string,
  ): Row[] => {
    const t = total(files);
    return [
      {
        scenario: BUNDLE,
        metric: `${metric}, raw`,
        tracker: t.raw / 1024,
        baseline: base.raw / 1024,
        baselineWhat: baseWhat,
        unit: 'KiB',
      },
      {
        scenario: BUNDLE,
        metric: `${metric}, gzip`,
        tracker: t.gzip / 1024,
        baseline: base.gzip / 1024,
        baselineWhat: `${baseWhat} (gzip estimated)`,
        unit: 'KiB',
      },
    ];
  };
  const echartsCode = originBytes(js, ECHARTS);
  rows.push(
    ...sizeRows(
      `JS + CSS named in index.html (${entry.length} files)`,
      entry,
      originBytes(entry, REACT),
      'React runtime (react, react-dom, scheduler) in those files',
    ),
    ...sizeRows(
      `JS + CSS the portfolio loads (${portfolioFiles.length} files)`,
      portfolioFiles,
      originBytes(portfolioFiles, libraries),
      'React runtime + ECharts (echarts, zrender, tslib) code in those files',
    ),
    ...sizeRows(
      `JS + CSS a first visit of an agreement loads (${agreementFiles.length} files)`,
      agreementFiles,
      originBytes(agreementFiles, libraries),
      'React runtime + ECharts code in those files',
    ),
    ...sizeRows(
      `whole build (${js.length} JS + ${css.length} CSS files)`,
      build.files,
      originBytes(build.files, thirdParty),
      'third-party code (node_modules) in the build',
    ),
    {
      scenario: BUNDLE,
      metric: 'ECharts code in the build (echarts, zrender, tslib), raw',
      tracker: echartsCode.raw / 1024,
      baseline: echartsFull / 1024,
      baselineWhat: `the full prebuilt library, \`echarts/dist/echarts.min.js\` (\`echarts.simple.min.js\`, line/bar/pie only: ${kib(echartsSimple)})`,
      unit: 'KiB',
    },
  );

  const loadedBy = (f: BuiltFile) =>
    [
      build.entry.includes(f.name) && 'index.html',
      portfolioFiles.includes(f) && 'portfolio',
      agreementFiles.includes(f) && 'agreement',
    ]
      .filter(Boolean)
      .join(', ') || 'other pages';
  const fileTable = [
    '| File | Loaded by (first visit) | Raw | Gzip | Biggest parts (raw, from its source map) |',
    '| --- | --- | ---: | ---: | --- |',
    ...[...build.files]
      .sort((a, b) => b.raw - a.raw)
      .map(
        (f) =>
          `| \`${f.name.replace(/^assets\//, '')}\` | ${loadedBy(f)} | ${kib(f.raw)} | ${kib(f.gzip)} | ${topOrigins(f, 4)} |`,
      ),
  ];

  const each = (f: (r: Repetition) => number) => reps.map((r) => fmt(f(r), 0)).join(', ');
  const problems = new Map<string, number>();
  for (const r of reps)
    for (const v of [r.portfolio, r.agreement, r.signIn])
      for (const p of v.problems) problems.set(p, (problems.get(p) ?? 0) + 1);
  for (const r of reps)
    for (const f of [r.portfolioFloor, r.agreementFloor])
      for (const p of f.problems) problems.set(`baseline: ${p}`, (problems.get(`baseline: ${p}`) ?? 0) + 1);
  const shown = reps[0]?.portfolio.shown ?? {};
  const shownAgreement = reps[0]?.agreement.shown ?? {};
  const notes = [
    `Seeded through the HTTP APIs as dev-monitor, ${options.concurrency} requests at a time: ${seeded.agreementIds.length} agreements, ${seeded.planned} milestones planned (due dates spread over ±12 months around today), ${seeded.started} started, ${seeded.reschedules} reschedules (all later: slips); ${seeded.writes} writes in ${fmt(seeded.seconds, 0)} s (${fmt(seeded.writes / seeded.seconds, 1)}/s), ${seeded.unknownAgreementRetries} plans retried until the milestones service knew the agreement; the services then settled (outboxes published, no consumer lag) in ${fmt(input.settleSeconds, 0)} s.`,
    `Open alerts ${fmt(counts.openAlerts, 0)} (slip alerts only: the alerts service ran with ALERT_SCAN_INTERVAL_MS=0, no deadline scan, so that no scan raises thousands of alerts during the measurement); milestones scheduled ${fmt(counts.scheduled, 0)}, in progress ${fmt(counts.inProgress, 0)}.`,
    `Times are ms from navigation start (performance.now() in the page) to the moment a MutationObserver first sees the landmark in the DOM and laid out: the first \`table.portfolio tbody tr\`, a chart's SVG with its first filled shape (\`[data-testid=chart-status|chart-due|timeline] svg\`), \`.facts\`, \`#api-key\`. Painting follows within a frame. Each visit is a fresh browser context (empty cache, key put in sessionStorage by an init script), 1400 × 900; one warm-up repetition first, not counted.`,
    `Per repetition: portfolio first row ${each((r) => mark(r.portfolio, 'row'))} ms; status chart ${each((r) => mark(r.portfolio, 'statusChart'))} ms; due-per-month chart ${each((r) => mark(r.portfolio, 'dueChart'))} ms; agreement facts ${each((r) => mark(r.agreement, 'facts'))} ms; timeline ${each((r) => mark(r.agreement, 'timeline'))} ms; blank page ${each(blank)} ms; load average (1 min) as each began ${reps.map((r) => fmt(r.load, 2)).join(', ')}.`,
    `The portfolio showed ${shown.rows ?? '?'} rows; due chart caption "${shown.dueCaption ?? ''}". The agreement page listed ${shownAgreement.milestones ?? '?'} milestones; its timeline says: "${String(shownAgreement.timeline ?? '').slice(0, 200)}".`,
    `Sizes: gzip at level 9 per file (node:zlib); "loads" = the files under /assets/ in the page's resource timing on its first measured visit; library shares from each file's source map (bytes of the minified code mapped to each package; gzip of a share is an estimate).`,
    problems.size
      ? `Browser problems seen (count over all visits): ${[...problems].map(([p, n]) => `${p} (×${n})`).join('; ')}`
      : 'No console error or warning, page error or failed request in any visit.',
  ];

  const lines = [
    `# Dashboard benchmark results${options.smoke ? ' (smoke run: tiny sizes, not figures)' : ''}`,
    '',
    `Run ${input.started.toISOString()} in ${fmt(input.seconds, 0)} s. Each time is the median of ${reps.length} repetition(s), after a warm-up; the baseline is measured in the same run.`,
    '',
    ...input.environment.map((e) => `- ${e}`),
    `- Sizes: ${options.agreements} agreements × ${options.milestonesPerAgreement} milestones; ${options.reps} repetition(s)`,
    '',
    ...resultsTable(rows, 'Page'),
  ];
  lines.push(
    '',
    ...notes.map((n) => `- ${n}`),
    '',
    ...requestTable(
      reps.map((r) => r.portfolio),
      'Portfolio: requests (median, ms since navigation start)',
    ),
    '',
    ...requestTable(
      reps.map((r) => r.agreement),
      'Agreement page: requests',
    ),
    '',
    ...fileTable,
    '',
  );
  return { markdown: lines.join('\n'), rows, notes };
}

interface Started {
  services: Service[];
  infra?: Infra;
  client?: mongo.MongoClient;
  dashboard?: RunningDashboard;
  browser?: Browser;
  /** The build in progress, then its folder (deleted at the end). */
  built?: Promise<string>;
  staticDir?: string;
}

async function cleanup(runId: string, dbs: string[], s: Started): Promise<void> {
  await s.browser?.close().catch(() => undefined);
  await s.dashboard?.close().catch(() => undefined);
  for (const service of s.services)
    await service.stop().catch((err: Error) => progress(`stopping ${service.name}: ${err.message}`));
  if (s.client) {
    for (const db of dbs)
      await s.client
        .db(db)
        .dropDatabase()
        .catch(() => undefined);
    await s.client.close().catch(() => undefined);
    progress(`dropped databases ${dbs.join(', ')}`);
  }
  if (s.infra) {
    const admin = new Kafka({
      clientId: 'bench-cleanup',
      brokers: s.infra.kafkaBrokers.split(','),
      logLevel: logLevel.NOTHING,
    }).admin();
    try {
      await admin.connect();
      const topics = (await admin.listTopics()).filter((t) => t.startsWith(runId));
      if (topics.length) await admin.deleteTopics({ topics });
      const groups = (await admin.listGroups()).groups.map((g) => g.groupId).filter((g) => g.includes(runId));
      if (groups.length) await admin.deleteGroups(groups).catch(() => undefined);
      progress(`deleted ${topics.length} topics and ${groups.length} consumer groups of ${runId}`);
    } catch (err) {
      progress(`Kafka cleanup failed: ${(err as Error).message}`);
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    await stopInfra(s.infra);
  }
  await s.built?.catch(() => undefined);
  if (s.staticDir) rmSync(s.staticDir, { recursive: true, force: true });
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const options = parseOptions(argv, process.env);
  const outArg = argv.find((a) => a.startsWith('--out='))?.slice('--out='.length);
  const outDir = outArg ? path.resolve(outArg) : RESULTS_DIR;
  const startedAt = new Date();
  const runId = `bench_${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const dbs = [`${runId}_agreements`, `${runId}_milestones`, `${runId}_alerts`];
  const s: Started = { services: [] };
  let cleaning: Promise<void> | undefined;
  const cleanupOnce = () => (cleaning ??= cleanup(runId, dbs, s));
  let interrupted: Promise<void> | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) return;
    progress(`${signal}: stopping what this run started`);
    for (const child of runningChildren()) child.kill('SIGTERM');
    interrupted = cleanupOnce().finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  let failed = false;
  try {
    // The build runs while the services start and the portfolio is seeded.
    const built = (s.built = buildDashboard().then((dir) => (s.staticDir = dir)));
    built.catch(() => undefined);
    const infra = await ensureInfra(process.env);
    s.infra = infra;
    s.client = await new mongo.MongoClient(infra.mongoUrl).connect();
    const buildInfo = await s.client.db('admin').command({ buildInfo: 1 });
    const isFerretDb = 'ferretdbVersion' in buildInfo;
    const versions = localVersions();
    progress(
      `run ${runId}: ${options.agreements} agreements × ${options.milestonesPerAgreement} milestones, ${options.reps} repetition(s)${options.smoke ? ' (smoke)' : ''}`,
    );

    // The alerts service's deadline scan would raise an alert for every overdue milestone (thousands, one scan
    // each on FerretDB) while the pages are measured: off. startService passes this process's environment on.
    process.env.ALERT_SCAN_INTERVAL_MS = '0';
    const settings = {
      kafkaBrokers: infra.kafkaBrokers,
      mongoUrl: infra.mongoUrl,
      topicPrefix: `${runId}.`,
      logDir: path.join(outDir, 'logs'),
    };
    progress('starting the agreements, milestones and alerts services...');
    const names = ['agreements', 'milestones', 'alerts'] as const;
    const startedServices = await Promise.allSettled(
      names.map((name, i) => startService(name, { ...settings, db: dbs[i], label: `dashboard-${name}` })),
    );
    for (const r of startedServices) if (r.status === 'fulfilled') s.services.push(r.value);
    const failure = startedServices.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure) throw failure.reason;
    const [agreements, milestones, alerts] = s.services;

    const seeded = await seedPortfolio(
      { agreements, milestones },
      {
        agreements: options.agreements,
        milestonesPerAgreement: options.milestonesPerAgreement,
        concurrency: options.concurrency,
        referencePrefix: `BENCH-${runId.replace(/^bench_/, '').toUpperCase()}`,
      },
    );
    progress(
      `seeded ${seeded.writes} writes in ${fmt(seeded.seconds, 0)} s; waiting for the services to settle`,
    );
    const settleSeconds = await settled(s.services, 1_800_000, { intervalMs: 2000 });
    await measuredAgreementReady(agreements.url, seeded, 120_000);
    const counts = {
      openAlerts: await countAll(`${alerts.url}/alerts?status=open`),
      scheduled: await countAll(`${milestones.url}/milestones?status=scheduled`),
      inProgress: await countAll(`${milestones.url}/milestones?status=inProgress`),
    };
    progress(`settled after ${fmt(settleSeconds, 0)} s: ${JSON.stringify(counts)}`);

    const staticDir = await built;
    s.dashboard = await startDashboard(
      { agreements: agreements.url, milestones: milestones.url, alerts: alerts.url },
      staticDir,
    );
    s.browser = await launchBrowser();
    progress(`dashboard on ${s.dashboard.url} (build in ${staticDir}), Chromium ${s.browser.version()}`);

    mkdirSync(outDir, { recursive: true });
    const reps: Repetition[] = [];
    for (let i = 0; i <= options.reps; i++) {
      const label = i === 0 ? 'warm-up' : `repetition ${i}/${options.reps}`;
      const rep = await repetition(
        s.browser,
        s.dashboard.url,
        seeded.measured.id,
        i === 1 ? path.join(outDir, 'dashboard') : undefined,
      );
      progress(
        `${label}: portfolio row ${fmt(mark(rep.portfolio, 'row'), 0)} ms, charts ${fmt(Math.max(mark(rep.portfolio, 'statusChart'), mark(rep.portfolio, 'dueChart')), 0)} ms; agreement facts ${fmt(mark(rep.agreement, 'facts'), 0)} ms, timeline ${fmt(mark(rep.agreement, 'timeline'), 0)} ms; sign-in ${fmt(mark(rep.signIn, 'signIn'), 0)} ms; floors ${fmt(rep.portfolioFloor.data.agreements, 0)} / ${fmt(rep.agreementFloor.data.timeline, 0)} ms`,
      );
      if (i > 0) reps.push(rep);
    }

    const environment = [
      `Machine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}), ${fmt(os.totalmem() / 2 ** 30, 1)} GiB memory, ${os.platform()} ${os.release()}`,
      `Node ${process.version}; Chromium ${s.browser.version()} (headless, playwright-core); Kafka ${versions.KAFKA_VERSION ?? 'unknown'}; database ${
        isFerretDb
          ? `FerretDB ${versions.FERRETDB_VERSION ?? buildInfo.ferretdbVersion ?? 'unknown'} (SQLite backend)`
          : `MongoDB ${buildInfo.version}`
      }`,
    ];
    const seconds = (Date.now() - startedAt.getTime()) / 1000;
    const report = buildReport({
      options,
      started: startedAt,
      seconds,
      environment,
      seeded,
      counts,
      settleSeconds,
      reps,
      staticDir,
    });
    writeFileSync(path.join(outDir, 'dashboard-latest.md'), report.markdown);
    writeFileSync(
      path.join(outDir, 'dashboard-latest.json'),
      JSON.stringify(
        {
          startedAt,
          seconds,
          options,
          seeded: { ...seeded, agreementIds: undefined },
          counts,
          rows: report.rows,
          notes: report.notes,
          reps,
        },
        null,
        2,
      ),
    );
    process.stdout.write(report.markdown);
    progress(
      `written to ${path.relative(process.cwd(), path.join(outDir, 'dashboard-latest.md'))} (and .json; screenshots dashboard-*.png)`,
    );
  } catch (err) {
    failed = true;
    progress(`benchmark failed: ${(err as Error).stack ?? String(err)}`);
  } finally {
    if (interrupted) await interrupted;
    else await cleanupOnce();
  }
  return failed ? 1 : 0;
}

if (require.main === module) runAsMain(main);
