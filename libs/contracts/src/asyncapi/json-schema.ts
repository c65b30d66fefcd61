/**
 * A few builders of JSON Schema (draft-07, what AsyncAPI 3 takes as payload and header schemas), each typed with
 * the TypeScript type it describes: `obj<T>({...})` must name every field of T, no other, each optional exactly
 * when T's is, with a schema of exactly that field's type. So a schema cannot drift from the event types in this
 * library: a field added, renamed, made optional or given another type there fails the typecheck here.
 */

declare const DESCRIBES: unique symbol;

/** A JSON Schema, of no type in particular (an older version's, one read back from a document). */
export type AnySchema = { readonly [keyword: string]: unknown };
/** A JSON Schema of values of type T (T is a compile-time tag only; the object is plain JSON). */
export type JsonSchema<T> = { readonly [DESCRIBES]?: (value: T) => T } & AnySchema;

declare const OPTIONAL: unique symbol;
/** A field that may be left out (`field?: T`). */
export interface OptionalField<T> {
  readonly [OPTIONAL]: true;
  readonly schema: JsonSchema<T>;
}

/** One schema per field of T; `optional(...)` for T's optional fields. */
export type FieldSchemas<T> = {
  [K in keyof T]-?: object extends Pick<T, K> ? OptionalField<Exclude<T[K], undefined>> : JsonSchema<T[K]>;
};

type Keywords = Readonly<Record<string, unknown>>;

const optionalMarker = Symbol('optional');

export function optional<T>(schema: JsonSchema<T>): OptionalField<T> {
  return { [optionalMarker]: true, schema } as unknown as OptionalField<T>;
}

const isOptional = (field: unknown): field is { schema: AnySchema } =>
  typeof field === 'object' && field !== null && optionalMarker in field;

export function str(keywords: Keywords = {}): JsonSchema<string> {
  return { type: 'string', ...keywords };
}

export function int(keywords: Keywords = {}): JsonSchema<number> {
  return { type: 'integer', ...keywords };
}

export function num(keywords: Keywords = {}): JsonSchema<number> {
  return { type: 'number', ...keywords };
}

export function bool(keywords: Keywords = {}): JsonSchema<boolean> {
  return { type: 'boolean', ...keywords };
}

/** One of a list of strings (the library's `as const` lists: AgreementKinds, MilestoneTypes…). */
export function oneOf<const V extends readonly string[]>(
  values: V,
  keywords: Keywords = {},
): JsonSchema<V[number]> {
  return { type: 'string', enum: [...values], ...keywords };
}

export function constant<const V extends string | number>(value: V, keywords: Keywords = {}): JsonSchema<V> {
  return { type: typeof value === 'number' ? 'integer' : 'string', const: value, ...keywords };
}

export function nullable<T>(schema: JsonSchema<T>): JsonSchema<T | null> {
  return { anyOf: [schema, { type: 'null' }] };
}

export function arr<T>(items: JsonSchema<T>, keywords: Keywords = {}): JsonSchema<T[]> {
  return { type: 'array', items, ...keywords };
}

/** Any JSON value (what `unknown` is). */
export function anything(keywords: Keywords = {}): JsonSchema<unknown> {
  return { ...keywords };
}

/** An object with exactly the fields of T: the required ones required, nothing else allowed. */
export function obj<T>(fields: FieldSchemas<T>, keywords: Keywords = {}): JsonSchema<T> {
  const properties: Record<string, unknown> = {};
  const required: string[] = [];
  for (const [name, field] of Object.entries(fields as Record<string, unknown>)) {
    if (isOptional(field)) properties[name] = field.schema;
    else {
      properties[name] = field;
      required.push(name);
    }
  }
  return {
    type: 'object',
    properties,
    ...(required.length > 0 && { required }),
    additionalProperties: false,
    ...keywords,
  };
}

/**
 * The schema of an older version of an object: the newer one without the fields that an upcaster adds (v1 events
 * kept those dates only in their envelope). Not typed: older versions have no TypeScript type of their own.
 */
export function withoutFields(schema: AnySchema, fields: readonly string[]): AnySchema {
  const { properties, required, ...rest } = schema as {
    properties: Record<string, unknown>;
    required?: string[];
  };
  const kept = Object.fromEntries(Object.entries(properties).filter(([name]) => !fields.includes(name)));
  const stillRequired = (required ?? []).filter((name) => !fields.includes(name));
  return { ...rest, properties: kept, ...(stillRequired.length > 0 && { required: stillRequired }) };
}
