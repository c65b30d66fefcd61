import { PreconditionRequiredProblem, ValidationProblem } from './problem';

const VERSION = /^(?:(?:W\/)?"(\d{1,15})"|(\d{1,15}))$/;

/**
 * The expected version from an If-Match header: accepts `"3"`, `W/"3"` and `3`. Missing → 428 when required
 * (otherwise undefined); anything else (lists, `*`, garbage) → 400.
 */
export function parseIfMatch(header: string | string[] | undefined, options: { required: true }): number;
export function parseIfMatch(
  header: string | string[] | undefined,
  options?: { required?: boolean },
): number | undefined;
export function parseIfMatch(
  header: string | string[] | undefined,
  options: { required?: boolean } = {},
): number | undefined {
  const value = Array.isArray(header) ? header.join(',') : header?.trim();
  if (value === undefined || value === '') {
    if (options.required) throw new PreconditionRequiredProblem();
    return undefined;
  }
  const m = VERSION.exec(value);
  if (!m) {
    throw new ValidationProblem(
      [{ field: 'If-Match', message: 'must be the version (ETag) of the resource, e.g. "3"' }],
      `If-Match must be one version such as "3" (got ${JSON.stringify(value.slice(0, 50))}).`,
    );
  }
  return Number(m[1] ?? m[2]);
}
