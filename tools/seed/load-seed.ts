/**
 * Loads the demo agreements (deploy/demo-data/agreements.json, copied from the shared seed data) through the
 * public REST APIs, as a monitoring team would. Safe to run twice: each POST carries an Idempotency-Key.
 *
 *   npm run seed -- [--agreements http://127.0.0.1:3001] [--milestones http://127.0.0.1:3002] [--key dev-monitor]
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

interface SeedFile {
  /** `kind`: who published it (official, company, international-organisation, media, other). */
  sources: Record<string, { title: string; publisher?: string; published?: string; url?: string; kind?: string }>;
  agreements: Array<{
    ref: string;
    title: string;
    kind: string;
    parties: Array<{ country?: string; organisation?: string; name: string }>;
    signatories: Array<{ name: string; title?: string; country?: string }>;
    signedOn: string | null;
    datePrecision: string;
    place?: string;
    context?: string;
    sectors?: string[];
    commodities?: string[];
    objectives?: string[];
    /** A description, or a quantified target (amount with unit or currency, byDate). */
    targets?: Array<string | { description: string; amount?: number; unit?: string; currency?: string; byDate?: string }>;
    sourceRefs?: string[];
    milestones?: Array<{ type: string; title: string; due: string; illustrative?: boolean }>;
  }>;
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
}

const agreementsUrl = arg('agreements', process.env.AGREEMENTS_URL ?? 'http://127.0.0.1:3001');
const milestonesUrl = arg('milestones', process.env.MILESTONES_URL ?? 'http://127.0.0.1:3002');
const key = arg('key', process.env.SEED_API_KEY ?? 'dev-monitor');
const file = arg('file', path.resolve(__dirname, '../../deploy/demo-data/agreements.json'));

/** Turns one seed entry into the body of `POST /agreements`. */
export function toRegisterBody(a: SeedFile['agreements'][number], sources: SeedFile['sources']) {
  return {
    reference: a.ref,
    title: a.title,
    kind: a.kind,
    parties: a.parties,
    signatories: a.signatories.map(({ country, ...s }) => ({ ...s, ...(country && { party: country }) })),
    signedOn: a.signedOn,
    datePrecision: a.datePrecision,
    ...(a.place && { place: a.place }),
    ...(a.context && { context: a.context }),
    sectors: a.sectors ?? [],
    commodities: a.commodities ?? [],
    objectives: a.objectives ?? [],
    targets: (a.targets ?? []).map((t) => (typeof t === 'string' ? { description: t } : t)),
    sources: (a.sourceRefs ?? []).filter((r) => sources[r]).map((r) => {
      const s = sources[r];
      return {
        title: s.title,
        ...(s.url && { url: s.url }),
        ...(s.publisher && s.publisher !== 'unknown' && { publisher: s.publisher }),
        ...(s.published && s.published !== 'unknown' && { published: s.published }),
        ...(s.kind && { kind: s.kind }),
      };
    }),
  };
}

async function post(url: string, body: unknown, idempotencyKey: string): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, 'idempotency-key': idempotencyKey },
    body: JSON.stringify(body),
  });
}

async function main() {
  const seed = JSON.parse(readFileSync(file, 'utf8')) as SeedFile;
  for (const a of seed.agreements) {
    // v2: the bodies gained source kinds and a quantified target. An agreement loaded with the old key answers
    // 409 under the new one and is left alone, rather than 422 for a key reused with another body.
    const res = await post(`${agreementsUrl}/agreements`, toRegisterBody(a, seed.sources), `seed:v2:${a.ref}`);
    if (res.status === 409) {
      // Loaded by an earlier run whose idempotency keys have expired since: leave it (and its milestones) alone.
      process.stdout.write(`agreement ${a.ref} already registered, skipped\n`);
      continue;
    }
    if (!res.ok) throw new Error(`registering ${a.ref} failed: ${res.status} ${await res.text()}`);
    const agreement = (await res.json()) as { id: string };
    process.stdout.write(`agreement ${a.ref} → ${agreement.id}\n`);

    for (const [i, m] of (a.milestones ?? []).entries()) {
      const body = {
        agreementId: agreement.id,
        type: m.type,
        title: m.title,
        dueDate: m.due,
        ...(m.illustrative && { description: 'Illustrative milestone written for demos, not a reported fact.' }),
      };
      // The milestones service learns of the agreement from Kafka; until then it answers 422. Retry briefly.
      const deadline = Date.now() + 30000;
      for (;;) {
        const r = await post(`${milestonesUrl}/milestones`, body, `seed:${a.ref}:${i}`);
        if (r.ok) {
          process.stdout.write(`  milestone ${m.type}: ${m.title}\n`);
          break;
        }
        if (r.status !== 422 || Date.now() > deadline) throw new Error(`planning "${m.title}" failed: ${r.status} ${await r.text()}`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  }
  process.stdout.write(`loaded ${seed.agreements.length} agreements\n`);
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`seed failed: ${err.message}\n(is the system up? run \`npm run up\` first)\n`);
    process.exit(1);
  });
}
