/**
 * The portfolio the dashboard benchmark opens, written through the services' HTTP APIs as a monitor would:
 * N agreements (Türkiye–Uzbekistan MoUs), M milestones each with due dates spread over ±12 months around today
 * (planned, in business time, half a year before), some started, some rescheduled later (slips, which the alerts
 * service raises as milestone.slipped alerts).
 * Agreement 1 is the one whose page is measured: besides the common pattern, every other milestone of it slips
 * and its first one twice, so its timeline has slips to draw.
 */
import { randomUUID } from 'node:crypto';
import { addDays, MilestoneTypes } from '@tracker/contracts';
import { MONITOR, type Service } from '../lib/stack';
import { pool, progress, sleep } from '../lib/util';

export interface SeedOptions {
  agreements: number;
  milestonesPerAgreement: number;
  /** Requests in flight at once. */
  concurrency: number;
  /** Reference prefix of the run, e.g. `BENCH-M3X9AB12`. */
  referencePrefix: string;
}

export interface Seeded {
  agreementIds: string[];
  /** The agreement whose page is measured (the first). */
  measured: { id: string; reference: string; milestones: number; slipped: number; slips: number };
  writes: number;
  seconds: number;
  planned: number;
  started: number;
  reschedules: number;
  /** Requests retried because the milestones service did not know the agreement yet (Kafka). */
  unknownAgreementRetries: number;
}

/** Commodities from the agreements service's list, rotated so the filters have something to offer. */
const COMMODITIES = [
  'copper',
  'lithium',
  'cobalt',
  'rare-earth-elements',
  'tungsten',
  'molybdenum',
  'gold',
  'nickel',
];
const SLIP_REASONS = [
  'Financing approval delayed',
  'Drilling permits delayed by the licensing authority',
  'Funding round postponed',
  'Equipment delivery late',
];

/** A deterministic spread of due dates over ±12 months around today (a multiplicative hash of the index). */
function dueOffsetDays(index: number): number {
  return ((index * 7919) % 731) - 365;
}

/** Signed over the two years before the earliest due date, so every milestone can be planned after the signing. */
export function signedOnFor(agreementIndex: number): string {
  return addDays('2023-06-01', (agreementIndex * 13) % 730);
}

interface MilestonePlan {
  agreementId: string;
  title: string;
  type: string;
  dueDate: string;
  /** Business time of the plan: half a year before the due date, not before the signing nor after today. */
  plannedOn: string;
  start: boolean;
  /** Days added to the due date by each reschedule, in order. */
  slips: number[];
}

export function planFor(
  agreementIndex: number,
  milestone: number,
  total: number,
  today: string,
): Omit<MilestonePlan, 'agreementId'> {
  const global = agreementIndex * total + milestone;
  const measured = agreementIndex === 0;
  const slips: number[] = [];
  if (milestone % 5 === 0 || (measured && milestone % 2 === 1)) slips.push(30 + ((global * 37) % 150));
  if (measured && milestone === 0) slips.push(60);
  const dueDate = addDays(today, dueOffsetDays(global));
  const halfYearBefore = addDays(dueDate, -180);
  const plannedOn = [signedOnFor(agreementIndex), halfYearBefore < today ? halfYearBefore : today].sort()[1];
  return {
    title: `Milestone ${milestone + 1} of agreement ${agreementIndex + 1}: ${MilestoneTypes[global % MilestoneTypes.length].replace(/_/g, ' ')}`,
    type: MilestoneTypes[global % MilestoneTypes.length],
    dueDate,
    plannedOn,
    start: milestone % 10 === 2,
    slips,
  };
}

async function send(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown>; text: string }> {
  for (let attempt = 1; ; attempt++) {
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { ...MONITOR, ...headers },
        body: JSON.stringify(body),
      });
      const text = await res.text();
      let parsed: Record<string, unknown> = {};
      try {
        parsed = JSON.parse(text) as Record<string, unknown>;
      } catch {
        // not JSON: the text is in the error message
      }
      // A 5xx or a dropped connection is retried (creates carry an Idempotency-Key, changes an If-Match).
      if (res.status >= 500 && attempt < 3) {
        await sleep(500 * attempt);
        continue;
      }
      return { status: res.status, body: parsed, text };
    } catch (err) {
      if (attempt >= 3) throw err;
      await sleep(500 * attempt);
    }
  }
}

export async function seedPortfolio(
  services: { agreements: Service; milestones: Service },
  options: SeedOptions,
): Promise<Seeded> {
  const started = Date.now();
  const today = new Date().toISOString().slice(0, 10);
  const m = options.milestonesPerAgreement;
  const plans = Array.from({ length: options.agreements }, (_, a) =>
    Array.from({ length: m }, (_, i) => planFor(a, i, m, today)),
  );
  const expectedWrites =
    options.agreements + plans.flat().reduce((s, p) => s + 1 + (p.start ? 1 : 0) + p.slips.length, 0);
  let writes = 0;
  let retries = 0;
  let lastReport = { at: started, writes: 0 };
  const report = (force = false) => {
    const now = Date.now();
    if (!force && now - lastReport.at < 5000) return;
    // On FerretDB the rate falls as the collections grow (each write scans some): the recent rate tells the wait.
    const recent = ((writes - lastReport.writes) * 1000) / Math.max(1, now - lastReport.at);
    lastReport = { at: now, writes };
    const s = (now - started) / 1000;
    const left =
      recent > 0 ? ` (at that rate ${Math.ceil((expectedWrites - writes) / recent / 60)} min to go)` : '';
    progress(
      `seeding: ${writes}/${expectedWrites} writes in ${s.toFixed(0)} s, ${recent.toFixed(1)}/s lately${left}`,
    );
  };

  const agreementIds: string[] = new Array(options.agreements);
  const references = Array.from(
    { length: options.agreements },
    (_, i) => `${options.referencePrefix}-${String(i + 1).padStart(4, '0')}`,
  );
  progress(
    `seeding ${options.agreements} agreements × ${m} milestones (${expectedWrites} writes, ${options.concurrency} at a time)`,
  );
  await pool([...references.keys()], options.concurrency, async (i) => {
    const signedOn = signedOnFor(i);
    // The seed data's Türkiye–Uzbekistan MoU (TR-UZ-2026-MINING), one per reference.
    const body = {
      reference: references[i],
      title: `Memorandum of Understanding on critical minerals, benchmark ${i + 1}`,
      kind: 'mou',
      parties: [
        { country: 'TR', name: 'Republic of Türkiye' },
        { country: 'UZ', name: 'Republic of Uzbekistan' },
      ],
      signedOn,
      datePrecision: 'day',
      commodities: [
        ...new Set([COMMODITIES[i % COMMODITIES.length], COMMODITIES[(i * 3 + 1) % COMMODITIES.length]]),
      ],
    };
    const res = await send(`${services.agreements.url}/agreements`, body, {
      'idempotency-key': randomUUID(),
    });
    if (res.status !== 201)
      throw new Error(`registering ${references[i]} answered ${res.status}: ${res.text.slice(0, 500)}`);
    agreementIds[i] = String(res.body.id);
    writes++;
    report();
  });

  const counts = { planned: 0, started: 0, reschedules: 0 };
  const work = plans.flatMap((list, a) => list.map((p) => ({ ...p, agreementId: agreementIds[a] })));
  await pool(work, options.concurrency, async (p) => {
    const deadline = Date.now() + 120_000;
    let res: Awaited<ReturnType<typeof send>>;
    const key = randomUUID();
    for (;;) {
      res = await send(
        `${services.milestones.url}/milestones`,
        {
          agreementId: p.agreementId,
          type: p.type,
          title: p.title,
          dueDate: p.dueDate,
          occurredAt: p.plannedOn,
        },
        { 'idempotency-key': key },
      );
      if (res.status === 201) break;
      // The milestones service learns of the agreement through Kafka: 404/422 until it has.
      if ((res.status === 404 || res.status === 422) && Date.now() < deadline) {
        retries++;
        await sleep(300);
        continue;
      }
      throw new Error(`planning "${p.title}" answered ${res.status}: ${res.text.slice(0, 500)}`);
    }
    writes++;
    counts.planned++;
    const id = String(res.body.id);
    let version = Number(res.body.version);
    const change = async (action: string, body: unknown) => {
      const r = await send(`${services.milestones.url}/milestones/${id}/${action}`, body, {
        'if-match': `"${version}"`,
      });
      if (r.status !== 200)
        throw new Error(`${action} of "${p.title}" answered ${r.status}: ${r.text.slice(0, 500)}`);
      version = Number(r.body.version);
      writes++;
    };
    if (p.start) {
      await change('start', {});
      counts.started++;
    }
    let due = p.dueDate;
    for (const [k, days] of p.slips.entries()) {
      due = addDays(due, days);
      await change('reschedule', { newDueDate: due, reason: SLIP_REASONS[k % SLIP_REASONS.length] });
      counts.reschedules++;
    }
    report();
  });
  report(true);

  const first = plans[0] ?? [];
  return {
    agreementIds,
    measured: {
      id: agreementIds[0],
      reference: references[0],
      milestones: first.length,
      slipped: first.filter((p) => p.slips.length > 0).length,
      slips: first.reduce((s, p) => s + p.slips.length, 0),
    },
    writes,
    seconds: (Date.now() - started) / 1000,
    ...counts,
    unknownAgreementRetries: retries,
  };
}
