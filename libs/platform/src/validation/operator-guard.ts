import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { ValidationProblem, type FieldError } from '../errors/problem';

const MAX_DEPTH = 32;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Fields that could smuggle a MongoDB operator or path into a query or update (`{"$gt": ""}`, `{"a.b": 1}`),
 * pollute prototypes, or nest absurdly deep. Returns one error per offending field.
 */
export function findUnsafeBodyFields(
  value: unknown,
  path = '',
  depth = 0,
  out: FieldError[] = [],
): FieldError[] {
  if (value === null || typeof value !== 'object') return out;
  if (depth > MAX_DEPTH) {
    out.push({ field: path || '(body)', message: `must not be nested more than ${MAX_DEPTH} levels deep` });
    return out;
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => findUnsafeBodyFields(item, `${path}[${i}]`, depth + 1, out));
    return out;
  }
  for (const key of Object.keys(value)) {
    const field = path ? `${path}.${key}` : key;
    if (key.startsWith('$') || key.includes('.') || FORBIDDEN_KEYS.has(key)) {
      out.push({
        field,
        message: 'field names must not start with "$", contain "." or be __proto__, constructor or prototype',
      });
    } else {
      findUnsafeBodyFields((value as Record<string, unknown>)[key], field, depth + 1, out);
    }
  }
  return out;
}

/**
 * Query parameters must be flat: `?status[$ne]=x` (a bracket key, or an object where express's "extended" parser
 * is on) is refused. Repeated parameters (arrays of strings) are left to the DTO, whose validators expect scalars.
 */
export function findUnsafeQueryFields(query: Record<string, unknown> | undefined): FieldError[] {
  const out: FieldError[] = [];
  for (const [key, value] of Object.entries(query ?? {})) {
    if (/[$.[\]]/.test(key) || FORBIDDEN_KEYS.has(key)) {
      out.push({ field: key, message: 'query parameter names must not contain "$", ".", "[" or "]"' });
    } else if (
      value !== null &&
      typeof value === 'object' &&
      (!Array.isArray(value) || value.some((v) => typeof v !== 'string'))
    ) {
      out.push({ field: key, message: 'must be a plain value, not an object' });
    }
  }
  return out;
}

/** Global guard: refuses (400) unsafe bodies and queries before any pipe or handler sees them. */
@Injectable()
export class MongoOperatorGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const req = context.switchToHttp().getRequest<Request>();
    const errors = [
      ...findUnsafeQueryFields(req.query as Record<string, unknown>),
      ...findUnsafeBodyFields(req.body),
    ];
    if (errors.length)
      throw new ValidationProblem(errors, 'The request contains field names or values that are not allowed.');
    return true;
  }
}
