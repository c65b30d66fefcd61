/**
 * What a contract fuzzer relies on in each service's OpenAPI document (issue 19), checked without one:
 * - every operation documents a response schema for each 2xx it answers (204 has no body), and the RFC 9457
 *   problem document (application/problem+json, ProblemDetails) for each 4xx and 5xx;
 * - ids carry `format: uuid` and dates `format: date` / `date-time` (by their names: `…Id`, `…At`, `…On`,
 *   `…Date`), in paths, queries, bodies and responses;
 * - every example validates against its schema (ajv, with OpenAPI 3.0's `nullable`), and the example of every
 *   request body and query, put together from the documented examples, passes the service's own validators;
 * - a real response conforms to what the document says of its operation and status (the access tests check
 *   every response they get).
 * Findings are strings naming the place, so a test can `expect(findings).toEqual([])`. Test-only.
 */
import type { INestApplication, Type } from '@nestjs/common';
import { METHOD_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { ModulesContainer } from '@nestjs/core';
import Ajv from 'ajv';
import type { OpenAPIObject } from '@nestjs/swagger';
import { createValidationPipe, Problem } from '@tracker/platform';

type Json = Record<string, unknown>;
const PROBLEM_REF = '#/components/schemas/ProblemDetails';
const HTTP_METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
/** Bodies the checks can read (others are documented as strings: NDJSON, SSE, Prometheus text). */
const JSON_TYPE = /^application\/(?:[\w.-]+\+)?json$/;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const escape = (segment: string) => encodeURIComponent(segment.replace(/~/g, '~0').replace(/\//g, '~1'));
const pointer = (path: readonly string[]) => `#/${path.map(escape).join('/')}`;
const where = (path: readonly string[]) => path.join(' › ');

/** Validates values against the document's schemas, by JSON pointer into the document. */
export class OpenApiSchemas {
  private readonly ajv = new Ajv({ nullable: true, format: 'full', unknownFormats: 'ignore', allErrors: true, logger: false });
  private readonly compiled = new Map<string, Ajv.ValidateFunction>();

  constructor(readonly doc: OpenAPIObject) {
    this.ajv.addSchema({ ...doc, $id: 'openapi' } as object, 'openapi');
  }

  /** The validator of the schema at `path` of the document, or why it does not compile. */
  validator(path: readonly string[]): Ajv.ValidateFunction | string {
    const key = pointer(path);
    let validate = this.compiled.get(key);
    if (!validate) {
      try {
        validate = this.ajv.compile({ $ref: `openapi${key}` });
      } catch (err) {
        return `the schema does not compile: ${(err as Error).message}`;
      }
      this.compiled.set(key, validate);
    }
    return validate;
  }

  /** The errors of `value` against the schema at `path` of the document (empty: valid). */
  errors(path: readonly string[], value: unknown): string[] {
    const validate = this.validator(path);
    if (typeof validate === 'string') return [validate];
    if (validate(value)) return [];
    return (validate.errors ?? []).map((e) => `${e.dataPath || '(value)'} ${e.message ?? 'is invalid'}`);
  }

  /** The schema at `path`, its $ref followed. */
  resolve(schema: unknown): Json | undefined {
    let s = schema;
    for (let i = 0; i < 20 && isObject(s) && typeof s['$ref'] === 'string'; i++) s = this.at((s['$ref'] as string).slice(2).split('/'));
    return isObject(s) ? s : undefined;
  }

  private at(path: readonly string[]): unknown {
    return path.reduce<unknown>((node, key) => (isObject(node) ? node[key.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined), this.doc);
  }
}

const cache = new WeakMap<OpenAPIObject, OpenApiSchemas>();
/** The schemas of `doc`, compiled once per document. */
export function schemasOf(doc: OpenAPIObject): OpenApiSchemas {
  let schemas = cache.get(doc);
  if (!schemas) cache.set(doc, (schemas = new OpenApiSchemas(doc)));
  return schemas;
}

interface Operation {
  method: string;
  path: string;
  op: Json;
}

function operations(doc: OpenAPIObject): Operation[] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    HTTP_METHODS.filter((m) => isObject((item as Json)[m])).map((method) => ({ method, path, op: (item as Json)[method] as Json })),
  );
}

/** Which format a name asks for: ids are UUIDs, `…At` are instants, `…On` / `…Date` are calendar dates. */
function expectedFormat(name: string): 'uuid' | 'date' | 'date-time' | undefined {
  if (name === 'id' || (/Ids?$/.test(name) && !['correlationId', 'causationId', 'streamId'].includes(name))) return 'uuid';
  if (name === 'at' || /[a-z]At$/.test(name)) return 'date-time';
  if (/[a-z](On|Date)$/.test(name)) return 'date';
  return undefined;
}

/** Whether a schema states the format `wanted`, or a pattern of its own (a partial date, an actor's name), or a choice of date and date-time. */
function statesFormat(schema: Json, wanted: string, schemas: OpenApiSchemas): boolean {
  const s = schemas.resolve(schema) ?? schema;
  if (s['type'] === 'array' && isObject(s['items'])) return statesFormat(s['items'], wanted, schemas);
  if (s['format'] === wanted || typeof s['pattern'] === 'string') return true;
  const choices = (s['anyOf'] ?? s['oneOf'] ?? s['allOf']) as Json[] | undefined;
  return !!choices?.some((c) => statesFormat(c, wanted, schemas) || (wanted === 'date-time' && statesFormat(c, 'date', schemas)));
}

/**
 * The static findings: response schemas (each compiles), problem documents, formats of ids and dates, examples
 * against their schemas.
 */
export function openApiFindings(doc: OpenAPIObject): string[] {
  const schemas = schemasOf(doc);
  const findings: string[] = [];
  if (!doc.components?.schemas?.['ProblemDetails']) findings.push('components › schemas: no ProblemDetails');

  for (const { method, path, op } of operations(doc)) {
    const at = [`${method.toUpperCase()} ${path}`];
    const responses = (op['responses'] ?? {}) as Record<string, Json>;
    const statuses = Object.keys(responses);
    if (!statuses.some((s) => s.startsWith('2'))) findings.push(`${where(at)}: no 2xx response`);
    for (const status of statuses) {
      const content = responses[status]['content'] as Record<string, Json> | undefined;
      if (status.startsWith('2') && status !== '204') {
        if (!content || Object.keys(content).length === 0) findings.push(`${where([...at, status])}: no content`);
        for (const [type, media] of Object.entries(content ?? {}))
          if (!isObject(media['schema'])) findings.push(`${where([...at, status, type])}: no schema`);
      }
      // Every schema an answer is held against compiles (request bodies' are compiled with their examples).
      for (const type of Object.keys(content ?? {})) {
        const compiled = schemas.validator(['paths', path, method, 'responses', status, 'content', type, 'schema']);
        if (typeof compiled === 'string') findings.push(`${where([...at, status, type])}: ${compiled}`);
      }
      if (status === '204' && content) findings.push(`${where([...at, status])}: a 204 has no body`);
      if (/^[45]/.test(status)) {
        const problem = content?.['application/problem+json']?.['schema'] as Json | undefined;
        if (!content || Object.keys(content).length !== 1 || problem?.['$ref'] !== PROBLEM_REF)
          findings.push(`${where([...at, status])}: not documented as application/problem+json ProblemDetails`);
      }
    }
  }

  // Every schema, parameter, header and media type of the document: formats by name, examples by schema.
  const visit = (node: unknown, path: string[]): void => {
    if (Array.isArray(node)) return node.forEach((item, i) => visit(item, [...path, String(i)]));
    if (!isObject(node)) return;
    const parent = path.at(-2);
    const name = path.at(-1) ?? '';
    const isParameter = path.includes('parameters') && typeof node['in'] === 'string';
    // A property (or a parameter) named like an id or a date states its format.
    if (parent === 'properties' || isParameter) {
      const field = isParameter ? String(node['name']) : name;
      const schema = isParameter ? (node['schema'] as Json | undefined) : node;
      const format = expectedFormat(field);
      if (format && schema && !statesFormat(schema, format, schemas)) findings.push(`${where(path)}: ${field} has no format ${format}`);
    }
    const exampleOf = (value: unknown, schemaPath: string[], label: string) => {
      for (const error of schemas.errors(schemaPath, value)) findings.push(`${where(path)}: ${label} ${JSON.stringify(value)}: ${error}`);
    };
    // An example of a schema; of a parameter, header or media type (against its schema); each of `examples`.
    const schemaPath = 'schema' in node && isObject(node['schema']) ? [...path, 'schema'] : path;
    if ('example' in node && (schemaPath !== path || isSchemaPlace(path))) exampleOf(node['example'], schemaPath, 'example');
    if (isObject(node['examples']) && schemaPath !== path)
      for (const [key, example] of Object.entries(node['examples'] as Record<string, Json>)) exampleOf(example['value'], schemaPath, `examples.${key}`);
    for (const [key, value] of Object.entries(node)) if (key !== 'example' && key !== 'examples') visit(value, [...path, key]);
  };
  visit(doc.paths, ['paths']);
  visit(doc.components, ['components']);
  return findings;
}

/** Whether `path` points at a schema object (a component schema or a part of one), rather than a parameter etc. */
function isSchemaPlace(path: readonly string[]): boolean {
  const parent = path.at(-2);
  const last = path.at(-1);
  return (
    (path[0] === 'components' && path[1] === 'schemas' && path.length === 3) ||
    parent === 'properties' ||
    last === 'schema' ||
    last === 'items' ||
    last === 'additionalProperties' ||
    ['allOf', 'anyOf', 'oneOf'].includes(path.at(-2) ?? '') ||
    ['allOf', 'anyOf', 'oneOf'].includes(path.at(-3) ?? '')
  );
}

/** A response as a test got it. */
export interface ObservedResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

/**
 * What the document says of `method path` (`:id` or `{id}`) and its `res.status`, held against the response: the
 * status documented, its media type documented, and a JSON body valid against the schema.
 */
export function responseFindings(doc: OpenAPIObject, method: string, path: string, res: ObservedResponse): string[] {
  const template = path.split('?')[0].replace(/:(\w+)/g, '{$1}');
  const at = `${method.toUpperCase()} ${template} → ${res.status}`;
  const op = (doc.paths[template] as Json | undefined)?.[method.toLowerCase()] as Json | undefined;
  if (!op) return [`${at}: no such operation in the document`];
  const responses = op['responses'] as Record<string, Json>;
  const status = [String(res.status), `${String(res.status)[0]}XX`, 'default'].find((s) => s in responses);
  if (!status) return [`${at}: status not documented (documented: ${Object.keys(responses).join(', ')})`];
  const content = responses[status]['content'] as Record<string, Json> | undefined;
  const contentType = String(res.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (!content) return contentType && res.status !== 204 ? [`${at}: answered ${contentType}, documented without content`] : [];
  if (!(contentType in content)) return [`${at}: answered ${contentType || 'no content type'}, documented ${Object.keys(content).join(', ')}`];
  if (!JSON_TYPE.test(contentType)) return [];
  return schemasOf(doc)
    .errors(['paths', template, method.toLowerCase(), 'responses', status, 'content', contentType, 'schema'], res.body)
    .map((error) => `${at}: body ${error}`);
}

/**
 * The value an operation's documentation shows for a schema: its example, default or first enum value, or one
 * put together from its parts. Required parts without any are reported through `missing`.
 */
function exampleOf(schemas: OpenApiSchemas, schema: unknown, path: string, missing: string[]): unknown {
  const s = schemas.resolve(schema);
  if (!s) return undefined;
  if ('example' in s) return s['example'];
  if ('default' in s) return s['default'];
  if (Array.isArray(s['enum'])) return s['enum'].find((v) => v !== null);
  const choice = ((s['allOf'] ?? s['anyOf'] ?? s['oneOf']) as unknown[] | undefined)?.[0];
  if (choice) return exampleOf(schemas, choice, path, missing);
  if (s['type'] === 'array') {
    const item = exampleOf(schemas, s['items'], `${path}[0]`, missing);
    return item === undefined ? undefined : [item];
  }
  if (isObject(s['properties'])) {
    const required = new Set((s['required'] as string[] | undefined) ?? []);
    const value: Json = {};
    for (const [name, property] of Object.entries(s['properties'] as Json)) {
      const v = exampleOf(schemas, property, path ? `${path}.${name}` : name, required.has(name) ? missing : []);
      if (v !== undefined) value[name] = v;
      else if (required.has(name)) missing.push(path ? `${path}.${name}` : name);
    }
    return value;
  }
  return undefined;
}

/**
 * The documented example of each request body and query, put together from the examples of its fields, run
 * through the service's validation pipe with the route's DTO class: an example the service would refuse is a
 * finding, and so is a required field without an example.
 */
export async function exampleRequestFindings(app: INestApplication, doc: OpenAPIObject): Promise<string[]> {
  const schemas = schemasOf(doc);
  const pipe = createValidationPipe();
  const byOperationId = new Map(operations(doc).map((o) => [o.op['operationId'] as string, o]));
  const findings: string[] = [];
  const checked = new Set<string>();
  for (const module of app.get(ModulesContainer, { strict: false }).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as Type | null;
      if (!controller) continue;
      for (const name of Object.getOwnPropertyNames(controller.prototype)) {
        const handler = controller.prototype[name] as unknown;
        if (typeof handler !== 'function' || Reflect.getMetadata(METHOD_METADATA, handler) === undefined) continue;
        const operation = byOperationId.get(`${controller.name}_${name}`);
        if (!operation) continue;
        const at = `${operation.method.toUpperCase()} ${operation.path}`;
        const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, name) ?? {}) as Record<string, { index: number; data?: string }>;
        const types = (Reflect.getMetadata('design:paramtypes', controller.prototype, name) ?? []) as Type[];
        for (const [key, arg] of Object.entries(args)) {
          const kind = Number(key.split(':')[0]);
          const metatype = types[arg.index];
          if ((kind !== RouteParamtypes.BODY && kind !== RouteParamtypes.QUERY) || arg.data || !metatype || metatype === Object) continue;
          const missing: string[] = [];
          if (kind === RouteParamtypes.BODY) checked.add(at);
          let value: unknown;
          if (kind === RouteParamtypes.BODY) {
            value = exampleOf(schemas, (operation.op['requestBody'] as Json | undefined)?.['content']?.['application/json' as never]?.['schema' as never], '', missing);
          } else {
            const query: Json = {};
            for (const p of (operation.op['parameters'] ?? []) as Json[]) {
              if (p['in'] !== 'query') continue;
              const v = 'example' in p ? p['example'] : exampleOf(schemas, p['schema'], String(p['name']), p['required'] ? missing : []);
              if (v !== undefined) query[String(p['name'])] = String(v);
            }
            value = query;
          }
          findings.push(...missing.map((field) => `${at}: the required ${field} has no example`));
          try {
            await pipe.transform(value ?? {}, { type: kind === RouteParamtypes.BODY ? 'body' : 'query', metatype });
          } catch (err) {
            const errors = err instanceof Problem ? JSON.stringify(err.toBody()['errors'] ?? err.message) : String(err);
            findings.push(`${at}: the documented ${kind === RouteParamtypes.BODY ? 'body' : 'query'} ${JSON.stringify(value)} is refused: ${errors}`);
          }
        }
      }
    }
  }
  // An operation whose body was not checked (its handler not found by operationId) would pass unseen.
  for (const { method, path, op } of operations(doc))
    if (op['requestBody'] && !checked.has(`${method.toUpperCase()} ${path}`)) findings.push(`${method.toUpperCase()} ${path}: its body was not checked (no handler with a @Body() DTO found)`);
  return findings;
}
