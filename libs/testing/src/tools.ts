/** Runs one of the repository's command-line tools (tools/…) as `npm run` would, for tests of their output. Test-only. */
import { spawn } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(__dirname, '../../..');

export interface ToolRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `node -r @swc-node/register <script> ...args` from the repository root; resolves when it exits. */
export function runTool(script: string, args: readonly string[]): Promise<ToolRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', script, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
