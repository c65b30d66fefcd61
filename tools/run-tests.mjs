#!/usr/bin/env node
// `npm test`: make sure Kafka and MongoDB are there (see tools/jest/infra.js), run every project's tests in one
// Jest run, stop what was started, and end with the line `N passed, N failed`.
// `npm test -- --unit` runs only the unit tiers (*.spec.ts without .int.), with no infrastructure.
// Other arguments go to Jest (e.g. `npm test -- libs/event-store`).
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const args = process.argv.slice(2);
const unitOnly = args.includes('--unit');
const jestArgs = args.filter((a) => a !== '--unit');
// TEST_RESULTS_FILE: a second run beside another one in the same checkout does not overwrite its results.
const resultsFile = process.env.TEST_RESULTS_FILE
  ? path.resolve(process.env.TEST_RESULTS_FILE)
  : path.join(root, 'reports', 'jest-results.json');
mkdirSync(path.dirname(resultsFile), { recursive: true });

let stopInfra = null;
let stopping = false;
async function cleanup() {
  if (stopping || !stopInfra) return;
  stopping = true;
  await stopInfra();
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, async () => {
    await cleanup();
    process.exit(130);
  });
}

function runJest() {
  const jestBin = require.resolve('jest/bin/jest');
  const extra = unitOnly ? ['--testPathIgnorePatterns', '\\.int\\.spec\\.ts$', '/tests/'] : [];
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [jestBin, '--json', `--outputFile=${resultsFile}`, ...extra, ...jestArgs],
      { stdio: 'inherit', cwd: root, env: process.env },
    );
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

let code = 1;
try {
  if (!unitOnly) {
    const { ensureInfra } = require('./jest/infra.js');
    stopInfra = await ensureInfra();
  }
  code = await runJest();
} catch (err) {
  console.error(`tests could not run: ${err.message}`);
  code = 1;
} finally {
  await cleanup();
}

if (existsSync(resultsFile)) {
  const r = JSON.parse(readFileSync(resultsFile, 'utf8'));
  // Suites that fail to load (syntax errors, failing beforeAll) count as failures even with no test result.
  const brokenSuites = r.numRuntimeErrorTestSuites ?? 0;
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests + brokenSuites} failed`);
  if (r.numTotalTests === 0) code = code || 1;
} else {
  console.log('0 passed, 1 failed');
}
process.exit(code);
