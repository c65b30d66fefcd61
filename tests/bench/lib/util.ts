/** Small helpers of the benchmark: progress on stderr, statistics, ports, RSS, child processes. */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

const started = Date.now();
let progressLabel = 'bench';

/** Names the program in the progress lines (`[faults 12.3s] ...`); `bench` unless set. */
export function setProgressLabel(label: string): void {
  progressLabel = label;
}

/** Progress goes to stderr; stdout carries only the final table. */
export function progress(message: string): void {
  const s = ((Date.now() - started) / 1000).toFixed(1).padStart(6);
  process.stderr.write(`[${progressLabel} ${s}s] ${message}\n`);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Nearest-rank percentile (p in 0..100) of unsorted values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

/** Formats a number for the table: thousands separators, a sensible number of decimals. */
export function fmt(value: number, decimals?: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  const d = decimals ?? (Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2);
  return value.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Resident set size of a process in MiB (Linux /proc), NaN if unknown. */
export function rssMiB(pid: number | undefined): number {
  if (!pid) return Number.NaN;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1]);
    return kb / 1024;
  } catch {
    return Number.NaN;
  }
}

/** Samples the RSS of some processes every `intervalMs` until stopped; returns the peak of each. */
export function sampleRss(pids: Record<string, number | undefined>, intervalMs = 250) {
  const peaks: Record<string, number> = {};
  const take = () => {
    for (const [name, pid] of Object.entries(pids)) {
      const v = rssMiB(pid);
      if (Number.isFinite(v)) peaks[name] = Math.max(peaks[name] ?? 0, v);
    }
  };
  take();
  const timer = setInterval(take, intervalMs);
  return {
    stop(): Record<string, number> {
      clearInterval(timer);
      take();
      return peaks;
    },
  };
}

export interface ProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

const running = new Set<ChildProcess>();

/** Children still running (killed by the run's cleanup if it is interrupted). */
export function runningChildren(): ChildProcess[] {
  return [...running];
}

/** Runs a command to its end, collecting its output. Rejects on a non-zero exit unless `allowFailure`. */
export function run(
  command: string,
  args: string[],
  options: SpawnOptions & { allowFailure?: boolean; timeoutMs?: number } = {},
): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    running.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = options.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), options.timeoutMs) : undefined;
    child.on('error', (err) => {
      running.delete(child);
      reject(err);
    });
    child.on('close', (code) => {
      running.delete(child);
      if (timer) clearTimeout(timer);
      if (code !== 0 && !options.allowFailure) {
        reject(new Error(`${command} ${args.join(' ')} exited with ${code}: ${stderr.slice(-2000)}`));
      } else {
        resolve({ code, stdout, stderr });
      }
    });
  });
}

/** Runs a TypeScript worker of tests/bench in its own Node process; its last stdout line is JSON. */
export async function runWorker<T>(file: string, input: unknown, timeoutMs: number): Promise<T> {
  const result = await run(process.execPath, ['-r', '@swc-node/register', file], {
    env: { ...process.env, BENCH_WORKER_INPUT: JSON.stringify(input) },
    timeoutMs,
  });
  const last = result.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(last) as T;
  } catch {
    throw new Error(
      `worker ${file} printed no result: ${result.stdout.slice(-500)} ${result.stderr.slice(-1500)}`,
    );
  }
}

/** Runs `work` over items with at most `concurrency` in flight. */
export async function pool<T>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await work(items[next++]);
    }),
  );
}

/** Runs a benchmark's main as the process: its exit code, or 1 after printing what it threw. */
export function runAsMain(main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`${String(err)}\n`);
      process.exit(1);
    },
  );
}

/** What a closed loop of calls gave: completed calls per second, latency percentiles (ms), failed calls. */
export interface LoopResult {
  requestsPerSecond: number;
  ok: number;
  p50: number;
  p99: number;
  errors: number;
  /** The first failure's message, if any call failed. */
  firstError?: string;
}

/**
 * `clients` callers each run `call` again as soon as it settles, for `seconds` s (each at least once): a closed
 * loop, so the rate is what the callee sustains at that concurrency. Latency per call (performance.now()); a
 * call that throws counts as an error, not a latency.
 */
export async function closedLoop(clients: number, seconds: number, call: () => Promise<void>): Promise<LoopResult> {
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const started = performance.now();
  const end = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      do {
        const t = performance.now();
        try {
          await call();
          latencies.push(performance.now() - t);
        } catch (err) {
          errors++;
          firstError ??= (err as Error).message;
        }
      } while (performance.now() < end);
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  return { requestsPerSecond: latencies.length / elapsed, ok: latencies.length, p50: percentile(latencies, 50), p99: percentile(latencies, 99), errors, ...(firstError && { firstError }) };
}
