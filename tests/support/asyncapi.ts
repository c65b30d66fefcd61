/**
 * Checks against the AsyncAPI document a service serves at /asyncapi.json (issue 21): that @asyncapi/parser
 * reads it without errors, and that messages really on the topics are what it says. Each message is matched to a
 * message of its topic's channel by its headers (ce_type and ce_schemaversion are constants there), then its
 * payload (the envelope with the data of that type and version) and its key (the Kafka binding's key schema; the
 * agreement id of the event) are checked. In tests/ rather than @tracker/testing: it reads the topics with
 * @tracker/messaging, whose own tests use @tracker/testing.
 */
import { DiagnosticSeverity, Parser } from '@asyncapi/parser';
import Ajv from 'ajv';
import type { Kafka } from 'kafkajs';
import {
  headersToStrings,
  readTopicsToEnd,
  type ReadToEndOptions,
  type TopicMessage,
} from '@tracker/messaging';

type Json = Record<string, unknown>;

interface AsyncApiMessage {
  name?: string;
  headers?: object;
  payload?: object;
  bindings?: { kafka?: { key?: object } };
}
interface AsyncApiChannel {
  address: string;
  messages?: Record<string, AsyncApiMessage | { $ref: string }>;
}

/** The parser's diagnostics of severity error, as `code: message at path` ([] = the document is valid AsyncAPI). */
export async function asyncApiErrors(document: object): Promise<string[]> {
  const { diagnostics } = await new Parser().parse(document as never);
  return diagnostics
    .filter((d) => d.severity === DiagnosticSeverity.Error)
    .map((d) => `${String(d.code)}: ${d.message} at ${d.path.join('/')}`);
}

/** Every message now on the document's channels (those of its topics that exist), from the beginning. */
export async function readChannelMessages(
  kafka: Kafka,
  document: object,
  options: ReadToEndOptions = {},
): Promise<TopicMessage[]> {
  const admin = kafka.admin();
  await admin.connect();
  let existing: Set<string>;
  try {
    existing = new Set(await admin.listTopics());
  } finally {
    await admin.disconnect();
  }
  const addresses = Object.values((document as { channels: Record<string, AsyncApiChannel> }).channels).map(
    (c) => c.address,
  );
  return readTopicsToEnd(
    kafka,
    addresses.filter((a) => existing.has(a)),
    options,
  );
}

function resolve<T>(document: object, value: T | { $ref: string }): T {
  if (!value || typeof value !== 'object' || !('$ref' in value)) return value as T;
  const ref = (value as { $ref: string }).$ref;
  if (!ref.startsWith('#/')) throw new Error(`${ref}: only local references are followed`);
  let at: unknown = document;
  for (const part of ref.slice(2).split('/'))
    at = (at as Json | undefined)?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  if (at === undefined) throw new Error(`${ref}: no such thing in the document`);
  return resolve(document, at as T);
}

/**
 * What is wrong with `messages` by the document ([] = every one is a message of its topic's channel, with valid
 * headers, key and payload). Each finding names the message as `topic/partition@offset`.
 */
export function asyncApiFindings(document: object, messages: readonly TopicMessage[]): string[] {
  const ajv = new Ajv({ allErrors: true, format: 'full', jsonPointers: true });
  // Compiled once per schema: a replay's history is thousands of messages.
  const compiled = new Map<object, Ajv.ValidateFunction>();
  const problemsOf = (schema: object | undefined, value: unknown, what: string): string[] => {
    if (!schema) return [];
    let validate = compiled.get(schema);
    if (!validate) compiled.set(schema, (validate = ajv.compile(schema)));
    return validate(value) ? [] : (validate.errors ?? []).map((e) => `${what}${e.dataPath} ${e.message}`);
  };
  const channels = Object.values((document as { channels: Record<string, AsyncApiChannel> }).channels);
  const findings: string[] = [];
  for (const { topic, partition, message } of messages) {
    const where = `${topic}/${partition}@${message.offset}`;
    const channel = channels.find((c) => c.address === topic);
    if (!channel) {
      findings.push(`${where}: no channel has the address ${topic}`);
      continue;
    }
    const candidates = Object.values(channel.messages ?? {}).map((m) =>
      resolve<AsyncApiMessage>(document, m),
    );
    const headers = headersToStrings(message.headers);
    const key = message.key === null ? null : message.key.toString('utf8');
    const text = message.value?.toString('utf8') ?? '';
    let payload: unknown = text;
    try {
      payload = JSON.parse(text);
    } catch {
      // Left as text: only a channel whose payload schema takes any value (a DLQ) accepts it.
    }
    const matched = candidates.find((m) => problemsOf(m.headers, headers, '').length === 0);
    if (!matched) {
      // Say why against the messages meant (same name as its ce_type), or all of a channel of one message.
      const meant = candidates.filter((m) => candidates.length === 1 || m.name === headers['ce_type']);
      const why = meant.flatMap((m) => problemsOf(m.headers, headers, `headers of ${m.name}:`));
      findings.push(
        `${where}: no message of ${channel.address} has these headers (ce_type ${headers['ce_type']}, ce_schemaversion ${headers['ce_schemaversion']})${why.length ? `: ${why.join('; ')}` : ''}`,
      );
      continue;
    }
    findings.push(
      ...problemsOf(matched.bindings?.kafka?.key, key, 'key').map((p) => `${where} (${matched.name}): ${p}`),
    );
    findings.push(
      ...problemsOf(matched.payload, payload, 'payload').map((p) => `${where} (${matched.name}): ${p}`),
    );
    // The key is the agreement the event is about (one agreement, one partition): more than the schema can say.
    const agreementId = (payload as { agreementId?: unknown } | null)?.agreementId;
    if (typeof agreementId === 'string' && key !== agreementId)
      findings.push(`${where} (${matched.name}): key ${key} is not the event's agreementId ${agreementId}`);
  }
  return findings;
}
