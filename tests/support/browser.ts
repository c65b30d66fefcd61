/**
 * The dashboard in a real browser for tests and benchmarks: the app built with Vite into a folder of the run's
 * own, its server in this process in front of services that listen on real ports, and Debian's Chromium driven
 * by playwright-core (it cannot download browsers here), with axe-core for accessibility.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import AxeBuilder from '@axe-core/playwright';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { INestApplication } from '@nestjs/common';
// The dashboard's server is an application of its own; tests start it in-process like the services.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { createDashboard } from '../../services/dashboard/server/server';

const root = path.resolve(__dirname, '../..');
export const reportDir = path.join(root, 'reports', 'dashboard');

/** Builds the app with Vite into a fresh folder (so a test never serves a stale or concurrent build). */
export async function buildDashboard(): Promise<string> {
  const outDir = path.join(tmpdir(), `dashboard-${process.pid}-${Date.now().toString(36)}`);
  const vite = path.join(root, 'node_modules', 'vite', 'bin', 'vite.js');
  await promisify(execFile)(
    process.execPath,
    [
      vite,
      'build',
      '--config',
      'services/dashboard/vite.config.mts',
      '--outDir',
      outDir,
      '--emptyOutDir',
      '--logLevel',
      'warn',
    ],
    {
      cwd: root,
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  return outDir;
}

/** Listens on a free port of 127.0.0.1 and gives its base URL. */
export async function listenOn(app: INestApplication): Promise<string> {
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}

export interface RunningDashboard {
  url: string;
  close(): Promise<void>;
}

export async function startDashboard(
  upstreams: { agreements: string; milestones: string; alerts: string },
  staticDir: string,
): Promise<RunningDashboard> {
  const app = createDashboard({ upstreams, staticDir });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(chromiumPath))
    throw new Error(
      `Chromium is not installed at ${chromiumPath}: run \`bash deploy/local/infra.sh install\` (or set CHROMIUM_PATH)`,
    );
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/** A full-page screenshot into the test report folder. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(reportDir, { recursive: true });
  const file = path.join(reportDir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** axe-core's serious and critical violations on the page as it is now (WCAG 2.1 A and AA rules), in words. */
export async function seriousAccessibilityViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/**
 * Signs in on the dashboard with an API key, in a context of its own (its own sessionStorage); `timezoneId`: the
 * user's time zone (IANA), where the browser's local times are.
 */
export async function signedIn(
  browser: Browser,
  baseUrl: string,
  key: string,
  { timezoneId }: { timezoneId?: string } = {},
): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: 1400, height: 900 },
    acceptDownloads: true,
    ...(timezoneId && { timezoneId }),
  });
  const page = await context.newPage();
  await page.goto(baseUrl);
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText('Signed in as').waitFor();
  return page;
}
