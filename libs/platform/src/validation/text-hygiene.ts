/**
 * Text a client sends is stored, hashed into the event chain and shown to others, so it must be text: every
 * string of a JSON body is normalised to NFC (one byte sequence for one text, so hashes do not depend on how a
 * keyboard composed "ü"), and a body is refused (400, naming each field) when a string holds an unpaired
 * surrogate (it cannot be stored as UTF-8: the database would turn it into U+FFFD and the hash chain would no
 * longer verify), a control character other than tab and line breaks (NUL among them), or a bidirectional
 * override, embedding or isolate (U+202A-U+202E, U+2066-U+2069: text that displays otherwise than it reads).
 * Bytes that are not UTF-8 are refused before parsing (`verifyUtf8`, the JSON parser's verify hook).
 */
import { Problem, problemType, type FieldError } from '../errors/problem';

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
const BIDI = /[\u202A-\u202E\u2066-\u2069]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why a string may not be stored, or null. */
export function textProblem(value: string): string | null {
  if (LONE_SURROGATE.test(value)) return 'must be valid Unicode text (it holds an unpaired surrogate)';
  if (CONTROL.test(value)) return 'must not contain control characters (only tab and line breaks are allowed)';
  if (BIDI.test(value)) return 'must not contain bidirectional override, embedding or isolate characters';
  return null;
}

/**
 * Normalises every string of `body` (values and keys) to NFC in place and returns the field errors of those that
 * may not be stored, named by their path (`parties.0.name`).
 */
export function cleanText(body: unknown): FieldError[] {
  const errors: FieldError[] = [];
  const walk = (value: unknown, path: string): unknown => {
    if (typeof value === 'string') {
      const why = textProblem(value);
      if (why) errors.push({ field: path || 'body', message: `${path || 'body'} ${why}` });
      return why ? value : value.normalize('NFC');
    }
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) value[i] = walk(value[i], path ? `${path}.${i}` : String(i));
      return value;
    }
    if (value && typeof value === 'object') {
      const record = value as Record<string, unknown>;
      for (const key of Object.keys(record)) {
        const why = textProblem(key);
        if (why) errors.push({ field: path || 'body', message: `a field name ${why}` });
        const normal = key.normalize('NFC');
        const cleaned = walk(record[key], path ? `${path}.${key}` : key);
        if (normal !== key) delete record[key];
        record[normal] = cleaned;
      }
    }
    return value;
  };
  walk(body, '');
  return errors;
}

const NOT_UTF8 = Symbol('body is not UTF-8');

/** Express middleware after the JSON parser: 400 with the fields whose text may not be stored. */
export function textHygiene(req: { body?: unknown; [NOT_UTF8]?: boolean }, _res: unknown, next: (err?: unknown) => void): void {
  if (req[NOT_UTF8]) {
    next(new Problem(400, 'Bad Request', 'The request body is not valid UTF-8: send JSON encoded as UTF-8.', {}, problemType(400, 'invalid-encoding')));
    return;
  }
  if (req.body === undefined || req.body === null) return next();
  const errors = cleanText(req.body);
  if (errors.length === 0) return next();
  next(new Problem(400, 'Validation failed', 'The request holds text that cannot be stored: see errors for each field.', { errors }, problemType(400, 'validation-error')));
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The JSON parser's verify hook: marks bytes that are not UTF-8 (the parser would read them as U+FFFD), for
 * textHygiene to refuse with 400. (Throwing here would make body-parser answer 403.)
 */
export function verifyUtf8(req: { [NOT_UTF8]?: boolean }, _res: unknown, buf: Buffer): void {
  try {
    utf8.decode(buf);
  } catch {
    req[NOT_UTF8] = true;
  }
}
