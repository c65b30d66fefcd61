/**
 * The contract fuzzer in the test suite: `npm run contract`'s run (Schemathesis against each service's OpenAPI,
 * with each role's key; see run.ts) finds no server error, no undocumented status or content type and no body
 * that breaks its schema. Bounded: about ten seconds per service and role, with a fixed seed, so a finding
 * reproduces (`npm run contract -- --seed=random` explores further).
 */
import { main } from './run';

jest.setTimeout(600_000);

describe('contract fuzzing with Schemathesis (every service, every role)', () => {
  it('finds nothing to report', async () => {
    const rows = await main();
    expect(rows.map((r) => r.service).sort()).toEqual([...new Array(4).fill('agreements'), ...new Array(4).fill('alerts'), ...new Array(4).fill('milestones')]);
    for (const row of rows) {
      // Every run tested every operation with many cases; a run that tested nothing would pass vacuously.
      expect({ run: `${row.service} as ${row.role}`, tested: row.operations > 10 && row.cases > 100 }).toEqual({ run: `${row.service} as ${row.role}`, tested: true });
      expect({ run: `${row.service} as ${row.role}`, failures: row.failures, failed: row.failed, exitCode: row.exitCode }).toEqual({
        run: `${row.service} as ${row.role}`,
        failures: 0,
        failed: {},
        exitCode: 0,
      });
    }
  });
});
