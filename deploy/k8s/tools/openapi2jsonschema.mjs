#!/usr/bin/env node
// Turns Kubernetes' own OpenAPI v3 documents and operators' CustomResourceDefinitions into the standalone, strict
// JSON Schema files kubeconform reads offline (its openapi2jsonschema approach, in a few lines of Node):
//   - one file per kind, named as kubeconform's `{{ .ResourceKind }}{{ .KindSuffix }}.json` template expects
//     (deployment-apps-v1.json, configmap-v1.json, kafkatopic-kafka-v1.json);
//   - every $ref inlined, so each file stands alone (no network, no relative look-ups);
//   - strict: an object that lists its properties allows no others (a misspelt field is an error), except where the
//     CRD says x-kubernetes-preserve-unknown-fields;
//   - Kubernetes' extensions turned into JSON Schema (x-kubernetes-int-or-string, nullable).
// Only the kinds the manifests use are written (KINDS below, and every kind of the CRDs given), to keep it small.
//
//   node openapi2jsonschema.mjs --kubernetes <api/openapi-spec/v3 dir> --crd <crd.yaml>... --out <dir>
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const YAML = require('yaml');

/** The built-in kinds deploy/k8s uses: group (empty for the core group), version, kind. */
const KINDS = [
  ['', 'v1', 'ConfigMap'],
  ['', 'v1', 'Secret'],
  ['', 'v1', 'Service'],
  ['', 'v1', 'Namespace'],
  ['apps', 'v1', 'Deployment'],
  ['policy', 'v1', 'PodDisruptionBudget'],
  ['autoscaling', 'v2', 'HorizontalPodAutoscaler'],
  ['networking.k8s.io', 'v1', 'NetworkPolicy'],
];

function args(argv) {
  const out = { kubernetes: '', crd: [], out: '' };
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i].replace(/^--/, '');
    const value = argv[++i];
    if (value === undefined) throw new Error(`--${name} needs a value`);
    if (name === 'crd') out.crd.push(value);
    else if (name === 'kubernetes' || name === 'out') out[name] = value;
    else throw new Error(`unknown option --${name}`);
  }
  if (!out.kubernetes || !out.out) throw new Error('usage: openapi2jsonschema.mjs --kubernetes <dir> --crd <file>... --out <dir>');
  return out;
}

/** kubeconform's file name of a kind: lower-case kind, the group's first label (or the core version), the version. */
function schemaFileName(group, version, kind) {
  const apiVersion = group ? `${group}/${version}` : version;
  const [groupPart, versionPart] = apiVersion.split('/');
  let suffix = `-${groupPart.split('.')[0].toLowerCase()}`;
  if (versionPart) suffix += `-${versionPart.toLowerCase()}`;
  return `${kind.toLowerCase()}${suffix}.json`;
}

/** Inlines `#/components/schemas/...` references; a reference to a schema being inlined (a cycle) becomes `{}`. */
function inline(node, schemas, seen = new Set()) {
  if (Array.isArray(node)) return node.map((n) => inline(n, schemas, seen));
  if (!node || typeof node !== 'object') return node;
  if (typeof node.$ref === 'string') {
    const name = node.$ref.replace('#/components/schemas/', '');
    if (seen.has(name)) return {};
    const target = schemas[name];
    if (!target) throw new Error(`unresolved reference ${node.$ref}`);
    return inline(target, schemas, new Set([...seen, name]));
  }
  const out = {};
  for (const [key, value] of Object.entries(node)) out[key] = inline(value, schemas, seen);
  return out;
}

/** Kubernetes' OpenAPI extensions into plain JSON Schema, descriptions dropped (size), strict objects. */
function normalise(node) {
  if (Array.isArray(node)) return node.map(normalise);
  if (!node || typeof node !== 'object') return node;
  const out = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'description' || key === 'default' || key === 'example') continue;
    if (key === 'properties' || key === 'patternProperties' || key === 'definitions') {
      out[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalise(v)]));
    } else {
      out[key] = normalise(value);
    }
  }
  if (out['x-kubernetes-int-or-string'] === true) {
    delete out.type;
    delete out.anyOf;
    out.oneOf = [{ type: 'integer' }, { type: 'string' }];
  }
  if (out.nullable === true && typeof out.type === 'string') out.type = [out.type, 'null'];
  delete out.nullable;
  // A string-only `format` Kubernetes invents (int-or-string, int32, byte, ...) means nothing to a validator.
  if (typeof out.format === 'string' && !['date-time', 'email', 'uri', 'hostname', 'ipv4', 'ipv6'].includes(out.format)) delete out.format;
  for (const key of Object.keys(out)) if (key.startsWith('x-kubernetes-') || key.startsWith('x-')) {
    if (key !== 'x-kubernetes-preserve-unknown-fields') delete out[key];
  }
  const preserve = out['x-kubernetes-preserve-unknown-fields'] === true;
  delete out['x-kubernetes-preserve-unknown-fields'];
  if (out.properties && out.additionalProperties === undefined && !preserve) out.additionalProperties = false;
  return out;
}

function kubernetesSchemas(dir) {
  const schemas = {};
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    Object.assign(schemas, JSON.parse(readFileSync(path.join(dir, file), 'utf8')).components?.schemas ?? {});
  }
  const written = [];
  for (const [group, version, kind] of KINDS) {
    const entry = Object.entries(schemas).find(([, s]) =>
      (s['x-kubernetes-group-version-kind'] ?? []).some((g) => g.group === group && g.version === version && g.kind === kind),
    );
    if (!entry) throw new Error(`no schema for ${group || 'core'}/${version} ${kind} in ${dir}`);
    const schema = normalise(inline(entry[1], schemas, new Set([entry[0]])));
    written.push([schemaFileName(group, version, kind), schema]);
  }
  return written;
}

function crdSchemas(file) {
  const written = [];
  for (const doc of YAML.parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS())) {
    if (!doc || doc.kind !== 'CustomResourceDefinition') continue;
    for (const v of doc.spec.versions) {
      const schema = v.schema?.openAPIV3Schema;
      if (!schema || v.served === false) continue;
      written.push([schemaFileName(doc.spec.group, v.name, doc.spec.names.kind), normalise(schema)]);
    }
  }
  if (written.length === 0) throw new Error(`${file} holds no CustomResourceDefinition with a schema`);
  return written;
}

const options = args(process.argv.slice(2));
mkdirSync(options.out, { recursive: true });
const all = [...kubernetesSchemas(options.kubernetes), ...options.crd.flatMap(crdSchemas)];
for (const [name, schema] of all) writeFileSync(path.join(options.out, name), JSON.stringify({ $schema: 'http://json-schema.org/draft-07/schema#', ...schema }));
console.log(`wrote ${all.length} schemas to ${options.out}: ${all.map(([n]) => n).join(' ')}`);
