/**
 * Keeps `npm run bench` from rotting: runs it with --smoke (seconds, tiny sizes, one repetition) against the test
 * run's Kafka and MongoDB, and checks only that every scenario produced a number and a baseline (scenario 6, deadline
 * → webhook, has no baseline: a number is enough). No timing thresholds: figures come from `npm run bench`
 * (docs/performance.md).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { testEnv } from '../support';

jest.setTimeout(300_000);

interface Results {
  failed: number;
  rows: Array<{ scenario: string; metric: string; tracker: number | string; baseline: number | string; baselineWhat: string }>;
}

describe('npm run bench -- --smoke', () => {
  const out = mkdtempSync(path.join(os.tmpdir(), 'bench-smoke-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('runs every scenario and its baseline to a number', async () => {
    const { kafkaBrokers, mongoUrl } = testEnv();
    const root = path.resolve(__dirname, '../..');
    let stderr = '';
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, ['-r', '@swc-node/register', 'tests/bench/run.ts', '--smoke', `--out=${out}`], {
        cwd: root,
        env: { ...process.env, KAFKA_BROKERS: kafkaBrokers.join(','), MONGO_URL: mongoUrl },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', resolve);
    });
    if (code !== 0) throw new Error(`the smoke run exited with ${code}:\n${stderr.slice(-4000)}`);

    const results = JSON.parse(readFileSync(path.join(out, 'latest.json'), 'utf8')) as Results;
    expect(results.failed).toBe(0);
    // Scenario 6 and the whole-replay time have no baseline (the issue names none): such rows say so with no baselineWhat.
    for (const n of [1, 2, 3, 4, 5, 6, 8]) {
      const rows = results.rows.filter((r) => r.scenario.startsWith(`${n}.`));
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) {
        expect({ row: `${row.scenario} / ${row.metric}`, tracker: Number.isFinite(row.tracker), baseline: n === 6 || row.baselineWhat === '' || Number.isFinite(row.baseline) }).toEqual({
          row: `${row.scenario} / ${row.metric}`,
          tracker: true,
          baseline: true,
        });
      }
    }
    expect(readFileSync(path.join(out, 'latest.md'), 'utf8')).toContain('| Scenario | Metric |');
  });
});
