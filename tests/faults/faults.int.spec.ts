/**
 * The short fault suite in `npm test`: runs `npm run faults -- --short` (one round of each scenario, a small load,
 * its own Kafka and FerretDB on free ports, so it never touches the test stack) and turns each scenario's checks
 * into a test. The tables and logs are in the output folder named by a failure.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The whole short run; generous (it waits for restarts and retries), but finite. */
const RUN_TIMEOUT_MS = 12 * 60_000;
jest.setTimeout(RUN_TIMEOUT_MS + 60_000);

interface Results {
  crashed: string | null;
  results: Array<{
    scenario: string;
    title: string;
    failures: string[];
    rows: Array<{ count: string; value: string; check: string }>;
  }>;
}

const SCENARIOS = [
  ['1. Kafka SIGKILL and restart', '1. Kafka'],
  ['2. Database SIGKILL and restart', '2. Database'],
  [
    '3. SIGKILL of the agreements service',
    '3. SIGKILL of a service under write load, keyed retries: agreements',
  ],
  [
    '3. SIGKILL of the milestones service',
    '3. SIGKILL of a service under write load, keyed retries: milestones',
  ],
  ['3. SIGKILL of the alerts service', '3. SIGKILL of a service under write load, keyed retries: alerts'],
  ['4. Webhook receiver down and back', '4. Webhook'],
  ['5. Racing writers on one version', '5. Racing'],
] as const;

describe('fault suite, short (npm run faults -- --short)', () => {
  const out = mkdtempSync(path.join(os.tmpdir(), 'faults-short-'));
  let child: ChildProcess | undefined;
  let stderr = '';
  let results: Results | undefined;

  beforeAll(async () => {
    const root = path.resolve(__dirname, '../..');
    const code = await new Promise<number | null>((resolve) => {
      child = spawn(
        process.execPath,
        ['-r', '@swc-node/register', 'tests/faults/run.ts', '--short', `--out=${out}`],
        {
          cwd: root,
          stdio: ['ignore', 'ignore', 'pipe'],
        },
      );
      child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-20_000)));
      const timer = setTimeout(() => child?.kill('SIGTERM'), RUN_TIMEOUT_MS);
      child.on('close', (c) => {
        clearTimeout(timer);
        child = undefined;
        resolve(c);
      });
    });
    const file = path.join(out, 'results.json');
    if (!existsSync(file))
      throw new Error(`the fault suite exited with ${code} and wrote no results:\n${stderr.slice(-4000)}`);
    results = JSON.parse(readFileSync(file, 'utf8')) as Results;
    if (results.crashed)
      throw new Error(`the fault suite broke off: ${results.crashed}\n${stderr.slice(-4000)}`);
  });

  afterAll(() => {
    // Interrupted: the suite stops what it started on SIGTERM.
    child?.kill('SIGTERM');
    // Its tables and logs stay where a failure names them.
    if (results && !results.crashed && results.results.every((r) => r.failures.length === 0))
      rmSync(out, { recursive: true, force: true });
  });

  it.each(SCENARIOS)('%s: nothing lost, nothing twice, read models converge', (_, prefix) => {
    const scenario = results?.results.find((r) => r.title.startsWith(prefix));
    // The failing checks; the tables and logs are in `out`.
    expect({
      ran: scenario?.title ?? 'not run',
      failures: scenario?.failures,
      tables: path.join(out, 'faults.md'),
    }).toEqual({
      ran: expect.stringContaining(prefix),
      failures: [],
      tables: path.join(out, 'faults.md'),
    });
  });
});
