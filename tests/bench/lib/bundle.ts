/**
 * Sizes of the dashboard's build: every JS and CSS file raw and gzipped (node:zlib, level 9, as a server would
 * send it), which files index.html names, and which packages the bytes of each JS file come from (its source
 * map: every mapped span of the minified file is charged to the source it came from).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

export interface BuiltFile {
  /** Path from the build folder, e.g. `assets/index-abc.js`. */
  name: string;
  kind: 'js' | 'css';
  raw: number;
  gzip: number;
  /** Minified text by origin (package name, `dashboard` for our code); absent without a source map. */
  origins: Map<string, string>;
}

export interface Build {
  files: BuiltFile[];
  /** What index.html loads before any code runs: the entry script, its module preloads, the stylesheet. */
  entry: string[];
}

/** The React runtime and the chart library, as the origins of bundled code are named. */
export const REACT = ['react', 'react-dom', 'scheduler'];
export const ECHARTS = ['echarts', 'zrender', 'tslib'];

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** The fields of one source-map segment (base64 VLQ). */
function decodeSegment(segment: string): number[] {
  const out: number[] = [];
  let value = 0;
  let shift = 0;
  for (const ch of segment) {
    const digit = B64.indexOf(ch);
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
    } else {
      out.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  return out;
}

/** Who wrote a source: the package under the last node_modules, else our dashboard or a shared library. */
export function originOf(source: string | undefined): string {
  if (!source) return '(unmapped)';
  const i = source.lastIndexOf('node_modules/');
  if (i >= 0) {
    const parts = source.slice(i + 'node_modules/'.length).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  if (source.includes('services/dashboard/')) return 'dashboard';
  if (source.includes('libs/')) return 'libs/contracts';
  return '(other)';
}

/** Splits minified code by the origin of each mapped span (a span runs to the next segment or the line's end). */
function attribute(code: string, map: { sources: string[]; mappings: string }): Map<string, string> {
  const pieces = new Map<string, string[]>();
  const add = (origin: string, text: string) => {
    if (!text) return;
    const list = pieces.get(origin) ?? [];
    list.push(text);
    pieces.set(origin, list);
  };
  const lines = code.split('\n');
  const mapped = map.mappings.split(';');
  // Source indexes are relative to the previous segment across the whole file; columns restart on each line.
  let source = 0;
  lines.forEach((line, n) => {
    const starts: Array<{ col: number; origin: string }> = [];
    let col = 0;
    for (const segment of (mapped[n] ?? '').split(',')) {
      if (!segment) continue;
      const fields = decodeSegment(segment);
      col += fields[0];
      if (fields.length >= 4) source += fields[1];
      starts.push({ col, origin: fields.length >= 4 ? originOf(map.sources[source]) : '(unmapped)' });
    }
    add('(unmapped)', line.slice(0, starts[0]?.col ?? line.length) + (n < lines.length - 1 ? '\n' : ''));
    starts.forEach((s, i) => add(s.origin, line.slice(s.col, starts[i + 1]?.col ?? line.length)));
  });
  return new Map([...pieces].map(([origin, list]) => [origin, list.join('')]));
}

function walk(dir: string, base = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    return e.isDirectory() ? walk(full, base) : [path.relative(base, full).split(path.sep).join('/')];
  });
}

export function gzipSize(text: string | Buffer): number {
  return gzipSync(text, { level: 9 }).length;
}

export function analyseBuild(dir: string): Build {
  const files: BuiltFile[] = [];
  for (const name of walk(dir)
    .filter((f) => /\.(js|css)$/.test(f))
    .sort()) {
    const buffer = readFileSync(path.join(dir, name));
    const kind = name.endsWith('.css') ? 'css' : 'js';
    let origins = new Map<string, string>();
    const mapFile = path.join(dir, `${name}.map`);
    if (kind === 'js' && existsSync(mapFile))
      origins = attribute(buffer.toString('utf8'), JSON.parse(readFileSync(mapFile, 'utf8')));
    else if (kind === 'css') origins.set('dashboard', buffer.toString('utf8'));
    files.push({ name, kind, raw: buffer.length, gzip: gzipSize(buffer), origins });
  }
  const html = readFileSync(path.join(dir, 'index.html'), 'utf8');
  const entry = [...html.matchAll(/<(?:script[^>]*\ssrc|link[^>]*\shref)="\/?([^"]+\.(?:js|css))"/g)].map(
    (m) => m[1],
  );
  return { files, entry };
}

/** Raw and gzip bytes of some files together (gzip per file, summed: each is its own response). */
export function total(files: readonly BuiltFile[]): { raw: number; gzip: number; count: number } {
  return {
    raw: files.reduce((s, f) => s + f.raw, 0),
    gzip: files.reduce((s, f) => s + f.gzip, 0),
    count: files.length,
  };
}

/**
 * Bytes of the given origins within some files: raw exactly, gzip estimated as the gzip of their code
 * concatenated per file (compression depends on the neighbours, so it is an estimate).
 */
export function originBytes(
  files: readonly BuiltFile[],
  origins: readonly string[] | ((origin: string) => boolean),
): { raw: number; gzip: number } {
  const wanted = typeof origins === 'function' ? origins : (o: string) => origins.includes(o);
  let raw = 0;
  let gzip = 0;
  for (const f of files) {
    const text = [...f.origins]
      .filter(([o]) => wanted(o))
      .map(([, t]) => t)
      .join('');
    if (!text) continue;
    raw += Buffer.byteLength(text);
    gzip += gzipSize(text);
  }
  return { raw, gzip };
}

/** The biggest origins of a file, e.g. `react-dom 182 KiB, dashboard 61 KiB`. */
export function topOrigins(file: BuiltFile, count = 3): string {
  return [...file.origins]
    .map(([o, t]) => [o, Buffer.byteLength(t)] as const)
    .filter(([o]) => o !== '(unmapped)')
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([o, n]) => `${o} ${kib(n)}`)
    .join(', ');
}

export function kib(bytes: number): string {
  return `${(bytes / 1024).toLocaleString('en-US', { maximumFractionDigits: bytes < 10 * 1024 ? 1 : 0 })} KiB`;
}
