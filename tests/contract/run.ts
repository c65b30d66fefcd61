/**
 * The contract fuzzer: Schemathesis (pinned in tests/contract/requirements.txt, installed by
 * deploy/local/python-tools.sh) against each service's OpenAPI document, once with each role's development key,
 * checking that no request gets a server error, that every status and content type answered is documented, and
 * that every body matches its documented schema.
 *
 *   npm run contract [-- --max-time=<s per run>] [--max-examples=<n per operation>] [--seed=<n>|random] [--only=<service>]
 *
 * Uses KAFKA_BROKERS and MONGO_URL from the environment, else starts deploy/local/infra.sh (and stops it). Prints
 * a table of test cases and failures per service and role; exits 1 on any failure. Logs and JUnit reports go to
 * reports/contract/.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ensureInfra, ROOT, startService, stopInfra, type Service, type ServiceName } from '../bench/lib/stack';
import { progress, run, runAsMain } from '../bench/lib/util';

const SERVICES: ServiceName[] = ['agreements', 'milestones', 'alerts'];
const ROLES = ['monitor', 'stakeholder', 'auditor', 'admin'] as const;
const CHECKS = ['not_a_server_error', 'status_code_conformance', 'content_type_conformance', 'response_schema_conformance'];
const REPORTS = path.join(ROOT, 'reports/contract');

export interface ContractRow {
  service: string;
  role: string;
  operations: number;
  cases: number;
  failures: number;
  /** Findings by Schemathesis' code and title ("ST103 Undocumented status code"), with how often. */
  failed: Record<string, number>;
  exitCode: number;
}

function option(name: string, fallback: string): string {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  return arg ? arg.slice(name.length + 3) : fallback;
}

/** Runs one Schemathesis run; its output goes to a log file, and is summarised from it and the JUnit report. */
async function fuzz(bin: string, service: Service, role: string, settings: { maxTime: string; maxExamples: string; seed: string }): Promise<ContractRow> {
  const name = `${service.name}-${role}`;
  const junit = path.join(REPORTS, `${name}.xml`);
  const args = [
    'run',
    `${service.url}/docs-json`,
    '--url',
    service.url,
    '-H',
    `Authorization: Bearer dev-${role}`,
    '--checks',
    CHECKS.join(','),
    '--phases',
    'examples,coverage,fuzzing',
    '--max-examples',
    settings.maxExamples,
    '--max-time',
    settings.maxTime,
    '--workers',
    '1',
    '--no-color',
    '--output-truncate',
    'true',
    '--report',
    'junit',
    '--report-junit-path',
    junit,
    ...(settings.seed === 'random' ? [] : ['--seed', settings.seed]),
  ];
  const result = await run(path.join(bin, 'schemathesis'), args, { cwd: REPORTS, allowFailure: true });
  const exitCode = result.code ?? 1;
  const text = result.stdout + result.stderr;
  writeFileSync(path.join(REPORTS, `${name}.log`), text);
  const operations = Number(/Tested:\s+(\d+)/.exec(text)?.[1] ?? 0);
  const cases = Number(/(\d+) generated/.exec(text)?.[1] ?? 0);
  const failed: Record<string, number> = {};
  let failures = 0;
  try {
    const xml = readFileSync(junit, 'utf8');
    failures = [...xml.matchAll(/<testsuite\b[^>]*\bfailures="(\d+)"[^>]*\berrors="(\d+)"/g)].reduce((n, m) => n + Number(m[1]) + Number(m[2]), 0);
  } catch {
    failures = exitCode === 0 ? 0 : 1; // no report: the run itself failed (see its log)
  }
  // Schemathesis names each finding on a line of its own, e.g. "- ST103 Undocumented status code".
  for (const [, finding] of text.matchAll(/^- ([A-Z]{2}\d{3} .+)$/gm)) failed[finding] = (failed[finding] ?? 0) + 1;
  return { service: service.name, role, operations, cases, failures, failed, exitCode };
}

export async function main(): Promise<ContractRow[]> {
  mkdirSync(REPORTS, { recursive: true });
  const settings = { maxTime: option('max-time', '12'), maxExamples: option('max-examples', '25'), seed: option('seed', '20261202') };
  const only = option('only', '');
  const bin = (await run('bash', [path.join(ROOT, 'deploy/local/python-tools.sh'), 'bin'], { stdio: ['ignore', 'pipe', 'inherit'] })).stdout.trim();
  const infra = await ensureInfra(process.env);
  const prefix = `contract${Date.now().toString(36)}.`;
  const services: Service[] = [];
  const rows: ContractRow[] = [];
  try {
    for (const name of SERVICES.filter((s) => !only || s === only)) {
      services.push(
        await startService(name, {
          kafkaBrokers: infra.kafkaBrokers,
          mongoUrl: infra.mongoUrl,
          db: `contract_${name}_${Date.now().toString(36)}`,
          topicPrefix: prefix,
          logDir: path.join(REPORTS, 'services'),
        }),
      );
    }
    for (const service of services) {
      for (const role of ROLES) {
        progress(`schemathesis: ${service.name} as ${role} (up to ${settings.maxTime} s)`);
        const row = await fuzz(bin, service, role, settings);
        rows.push(row);
        progress(`  ${row.cases} cases on ${row.operations} operations, ${row.failures} failures${row.failures ? ` (${JSON.stringify(row.failed)}; see reports/contract/${service.name}-${role}.log)` : ''}`);
      }
    }
  } finally {
    await Promise.allSettled(services.map((s) => s.stop()));
    await stopInfra(infra);
  }
  const table = [
    '| Service | Role | Operations | Test cases | Failures | Failing checks |',
    '| --- | --- | ---: | ---: | ---: | --- |',
    ...rows.map((r) => `| ${r.service} | ${r.role} | ${r.operations} | ${r.cases} | ${r.failures} | ${Object.entries(r.failed).map(([c, n]) => `${c} ×${n}`).join(', ')} |`),
  ].join('\n');
  console.log(table);
  const perService = SERVICES.map((s) => {
    const mine = rows.filter((r) => r.service === s);
    return `${s}: ${mine.reduce((n, r) => n + r.cases, 0)} cases, ${mine.reduce((n, r) => n + r.failures, 0)} failures`;
  });
  console.log(perService.join('; '));
  writeFileSync(path.join(REPORTS, 'summary.json'), JSON.stringify({ settings, rows }, null, 2));
  return rows;
}

if (require.main === module) runAsMain(async () => ((await main()).some((r) => r.failures > 0 || r.exitCode !== 0) ? 1 : 0));
