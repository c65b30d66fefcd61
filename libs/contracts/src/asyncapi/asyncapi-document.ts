/**
 * The AsyncAPI 3.0.0 document of the event topics (issue 21): the three topics and their `.dlq` twins as channels,
 * every event type and schema version as a message (the envelope as payload, the CloudEvents binary-mode headers,
 * the Kafka key), and as operations what one service sends and receives. Served at `/asyncapi.json` by every
 * service (libs/service-runtime), parsed with @asyncapi/parser in the tests, and the e2e tests check every
 * message they made against it (libs/testing's asyncApiFindings).
 *
 * The header names are declared here once; libs/messaging writes them (codec.ts CloudEventHeaders,
 * idempotent-consumer.ts DlqHeaders, dlq.ts RedriveHeaders are these objects).
 */
import { dlqTopicOf, Topics } from '../topics';
import { EventSchemas, envelopeSchema, type EventSchema } from './event-schemas';
import type { AnySchema } from './json-schema';

export const ASYNCAPI_VERSION = '3.0.0';
const KAFKA_BINDING_VERSION = '0.5.0';

/** The headers an event carries on its topic (CloudEvents Kafka protocol binding, binary content mode). */
export const EventHeaderNames = {
  specversion: 'ce_specversion',
  id: 'ce_id',
  type: 'ce_type',
  source: 'ce_source',
  time: 'ce_time',
  subject: 'ce_subject',
  schemaversion: 'ce_schemaversion',
  correlationid: 'ce_correlationid',
  causationid: 'ce_causationid',
  partitionkey: 'ce_partitionkey',
  contentType: 'content-type',
} as const;

/** The headers a consumer adds to a message it dead-letters (the original key, value and headers are kept). */
export const DeadLetterHeaderNames = {
  error: 'dlq-error',
  reason: 'dlq-reason',
  originalTopic: 'dlq-original-topic',
  originalPartition: 'dlq-original-partition',
  originalOffset: 'dlq-original-offset',
  consumerGroup: 'dlq-consumer-group',
  failedAt: 'dlq-failed-at',
} as const;

/** The headers a re-driven dead letter carries back on its original topic. */
export const RedriveHeaderNames = { from: 'redriven-from', at: 'redriven-at' } as const;

export const DeadLetterReasons = ['invalid-message', 'permanent', 'retries-exhausted'] as const;

/** The service that publishes each topic: the CloudEvents `source` of its events. */
const PUBLISHER: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(Topics).map(([service, topic]) => [topic, service]),
);

const uuid = { type: 'string', format: 'uuid' } as const;
const offset = { type: 'string', pattern: '^[0-9]+$' } as const;
const ref = (path: string) => ({ $ref: `#/${path}` });
/** A channel's (and component's) id: `agreements.events.dlq` → `agreements_events_dlq`. */
const idOf = (topic: string) => topic.replace(/[^A-Za-z0-9]/g, '_');
export const messageIdOf = (type: string, schemaVersion: number) => `${type}.v${schemaVersion}`;
export const DEAD_LETTER_MESSAGE = 'deadLetter';

function eventHeaders(event: EventSchema): AnySchema {
  const h = EventHeaderNames;
  const redrive = RedriveHeaderNames;
  return {
    type: 'object',
    properties: {
      [h.specversion]: { type: 'string', const: '1.0' },
      [h.id]: { ...uuid, description: 'the eventId' },
      [h.type]: { type: 'string', const: event.type },
      [h.source]: { type: 'string', const: PUBLISHER[event.topic], description: 'the publishing service' },
      [h.time]: { type: 'string', format: 'date-time', description: 'the recordedAt' },
      [h.subject]: { type: 'string', minLength: 1, description: 'the streamId' },
      [h.schemaversion]: {
        type: 'string',
        const: String(event.schemaVersion),
        description: 'the schemaVersion (extension)',
      },
      [h.correlationid]: { type: 'string', minLength: 1, description: 'the correlationId (extension)' },
      [h.causationid]: {
        type: 'string',
        minLength: 1,
        description: 'the causationId, when there is one (extension)',
      },
      [h.partitionkey]: { ...uuid, description: 'the agreementId: the Kafka key (partitioning extension)' },
      [h.contentType]: { type: 'string', const: 'application/json' },
      [redrive.from]: {
        type: 'string',
        pattern: '^.+:[0-9]+:[0-9]+$',
        description: 'on a re-driven dead letter: `<dlq topic>:<partition>:<offset>`',
      },
      [redrive.at]: { type: 'string', format: 'date-time', description: 'on a re-driven dead letter: when' },
    },
    required: [
      h.specversion,
      h.id,
      h.type,
      h.source,
      h.time,
      h.subject,
      h.schemaversion,
      h.correlationid,
      h.partitionkey,
      h.contentType,
    ],
  };
}

function eventMessage(event: EventSchema): AnySchema {
  return {
    name: event.type,
    title: `${event.type} v${event.schemaVersion}`,
    summary: event.current
      ? `${event.type}, schema version ${event.schemaVersion} (written now)`
      : `${event.type}, schema version ${event.schemaVersion} (older: still on the topic, upcast on read)`,
    contentType: 'application/json',
    headers: eventHeaders(event),
    payload: envelopeSchema(event),
    correlationId: {
      description: 'the request or process the event belongs to',
      location: `$message.header#/${EventHeaderNames.correlationid}`,
    },
    bindings: {
      kafka: {
        key: { ...uuid, description: 'the agreement id: one agreement, one partition, in order' },
        bindingVersion: KAFKA_BINDING_VERSION,
      },
    },
  };
}

const deadLetterMessage: AnySchema = {
  name: DEAD_LETTER_MESSAGE,
  title: 'dead letter',
  summary: 'a message a consumer could not process: the original key, value and headers, and why',
  headers: {
    type: 'object',
    properties: {
      [DeadLetterHeaderNames.error]: {
        type: 'string',
        description: 'what went wrong (at most 4000 characters)',
      },
      [DeadLetterHeaderNames.reason]: { type: 'string', enum: [...DeadLetterReasons] },
      [DeadLetterHeaderNames.originalTopic]: { type: 'string', minLength: 1 },
      [DeadLetterHeaderNames.originalPartition]: offset,
      [DeadLetterHeaderNames.originalOffset]: offset,
      [DeadLetterHeaderNames.consumerGroup]: {
        type: 'string',
        minLength: 1,
        description: 'the consumer group that gave up on it',
      },
      [DeadLetterHeaderNames.failedAt]: { type: 'string', format: 'date-time' },
    },
    required: Object.values(DeadLetterHeaderNames),
    description: 'the original message’s headers (the ce_* ones, when it had them) are kept besides these',
  },
  payload: {
    description:
      'the original message value, unchanged: an event, or (reason invalid-message) whatever could not be read as one',
  },
  bindings: {
    kafka: {
      key: { type: ['string', 'null'], description: 'the original key (the agreement id)' },
      bindingVersion: KAFKA_BINDING_VERSION,
    },
  },
};

/** What one service does with the topics; topics without the environment's prefix. */
export interface ServiceMessaging {
  /** `agreements`. */
  service: string;
  /** The document's version: the service's API version. */
  version: string;
  /** The topic it publishes its events to. */
  publishes: string;
  /** The topics it consumes (its own included when its read models are built from it). */
  consumes: readonly string[];
  /** The environment's topic prefix (KAFKA_TOPIC_PREFIX): the channels' addresses carry it. */
  topicPrefix?: string;
}

interface Operation {
  action: 'send' | 'receive';
  channel: { $ref: string };
  summary: string;
}

/** The AsyncAPI 3.0.0 document: every topic and DLQ as a channel, what `messaging.service` sends and receives. */
export function asyncApiDocument(messaging: ServiceMessaging): Record<string, unknown> {
  const prefix = messaging.topicPrefix ?? '';
  const topics = Object.values(Topics);
  const messages: Record<string, AnySchema> = { [DEAD_LETTER_MESSAGE]: deadLetterMessage };
  for (const event of EventSchemas)
    messages[messageIdOf(event.type, event.schemaVersion)] = eventMessage(event);

  const channels: Record<string, unknown> = {};
  for (const topic of topics) {
    const events = EventSchemas.filter((e) => e.topic === topic);
    channels[idOf(topic)] = {
      address: prefix + topic,
      title: topic,
      description: `The ${PUBLISHER[topic]} service's events, keyed by agreement id; published from its outbox in order, at least once.`,
      messages: Object.fromEntries(
        events.map((e) => [
          messageIdOf(e.type, e.schemaVersion),
          ref(`components/messages/${messageIdOf(e.type, e.schemaVersion)}`),
        ]),
      ),
      bindings: { kafka: { topic: prefix + topic, bindingVersion: KAFKA_BINDING_VERSION } },
    };
    const dlq = dlqTopicOf(topic);
    channels[idOf(dlq)] = {
      address: prefix + dlq,
      title: dlq,
      description: `Messages of ${topic} that a consumer could not process (one DLQ for every consumer group, told apart by the ${DeadLetterHeaderNames.consumerGroup} header); re-driven to ${topic} after the fix.`,
      messages: { [DEAD_LETTER_MESSAGE]: ref(`components/messages/${DEAD_LETTER_MESSAGE}`) },
      bindings: { kafka: { topic: prefix + dlq, bindingVersion: KAFKA_BINDING_VERSION } },
    };
  }

  const operations: Record<string, Operation> = {};
  const add = (id: string, action: Operation['action'], topic: string, summary: string) => {
    operations[`${id}_${idOf(topic)}`] = { action, channel: ref(`channels/${idOf(topic)}`), summary };
  };
  add('publish', 'send', messaging.publishes, `${messaging.service} publishes its events (outbox relay)`);
  for (const topic of messaging.consumes) {
    add(
      'consume',
      'receive',
      topic,
      `${messaging.service} folds them into its read models and reactors (idempotent consumers)`,
    );
    add(
      'deadLetter',
      'send',
      dlqTopicOf(topic),
      `${messaging.service}'s consumers dead-letter what they cannot process`,
    );
    add(
      'readDeadLetters',
      'receive',
      dlqTopicOf(topic),
      `GET /admin/dlq lists them; POST /admin/dlq/{topic}/redrive sends them back`,
    );
    add(
      'redrive',
      'send',
      topic,
      `POST /admin/dlq/{topic}/redrive sends dead letters back to ${topic} (each once)`,
    );
  }

  return {
    asyncapi: ASYNCAPI_VERSION,
    info: {
      title: `${messaging.service} events`,
      version: messaging.version,
      description:
        'The event topics of the agreement tracker and what this service sends and receives on them. Each message value is the event ' +
        'envelope as stored (JSON, hash-chained), routed by `type` and `schemaVersion`; the key is the agreement id; the headers follow ' +
        'the CloudEvents Kafka binding (binary mode).' +
        (prefix ? ` Topic names carry this environment's prefix \`${prefix}\`.` : ''),
    },
    defaultContentType: 'application/json',
    channels,
    operations,
    components: { messages },
  };
}
