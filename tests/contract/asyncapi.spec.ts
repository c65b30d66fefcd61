import type { KafkaMessage } from 'kafkajs';
import {
  asyncApiDocument,
  dlqTopicOf,
  Topics,
  type EventEnvelope,
} from '@tracker/contracts';
import {
  CloudEventHeaders,
  DlqHeaders,
  encodeEnvelope,
  type TopicMessage,
} from '@tracker/messaging';
import { asyncApiFindings } from '../support/asyncapi';

const A = '0197a3c2-5d1e-7b4a-9c3f-2e8d1a6b4c70';
const M = '0197a3c2-5d1e-7b4a-9c3f-2e8d1a6b4c71';
const prefix = 't_1.';
const document = asyncApiDocument({
  service: 'milestones',
  version: '1.0.0',
  publishes: Topics.milestones,
  consumes: [Topics.agreements],
  topicPrefix: prefix,
});

const started: EventEnvelope = {
  eventId: '0197a3c2-5d1e-7b4a-9c3f-2e8d1a6b4c73',
  type: 'milestone.started',
  schemaVersion: 1,
  streamId: `milestone-${M}`,
  streamVersion: 2,
  position: 9,
  agreementId: A,
  occurredAt: '2026-03-01T00:00:00.000Z',
  recordedAt: '2026-03-02T09:00:00.000Z',
  actor: { id: 'dev-monitor', role: 'monitor' },
  correlationId: 'client-req-42',
  causationId: null,
  data: { milestoneId: M, agreementId: A, startedOn: '2026-03-01' },
  hash: 'b'.repeat(64),
  prevHash: 'c'.repeat(64),
};

/** A message as a consumer reads it, from what a producer sent. */
function onTopic(
  topic: string,
  sent: { key: string | null; value: string; headers: Record<string, string> },
  offset = '0',
): TopicMessage {
  const headers = Object.fromEntries(
    Object.entries(sent.headers).map(([name, value]) => [name, Buffer.from(value)]),
  );
  const message = {
    key: sent.key === null ? null : Buffer.from(sent.key),
    value: Buffer.from(sent.value),
    headers,
    offset,
    timestamp: '0',
    attributes: 0,
    size: 0,
  };
  return { topic, partition: 0, message: message as unknown as KafkaMessage };
}
const published = (envelope: EventEnvelope = started) => encodeEnvelope(envelope, 'milestones');

describe('asyncApiFindings', () => {
  it('finds nothing wrong with an event as the outbox relay publishes it', () => {
    expect(asyncApiFindings(document, [onTopic(`${prefix}milestones.events`, published())])).toEqual([]);
  });

  it('finds nothing wrong with a dead letter as a consumer writes it', () => {
    const dead = published();
    const headers = {
      ...dead.headers,
      [DlqHeaders.error]: 'boom',
      [DlqHeaders.reason]: 'permanent',
      [DlqHeaders.originalTopic]: `${prefix}milestones.events`,
      [DlqHeaders.originalPartition]: '0',
      [DlqHeaders.originalOffset]: '12',
      [DlqHeaders.consumerGroup]: `${prefix}agreements.milestone-summaries`,
      [DlqHeaders.failedAt]: '2026-03-02T09:00:01.000Z',
    };
    expect(
      asyncApiFindings(document, [
        onTopic(`${prefix}${dlqTopicOf(Topics.milestones)}`, { ...dead, value: 'not even JSON', headers }),
      ]),
    ).toEqual([]);
  });

  it.each([
    [
      'data the type does not have',
      () => published({ ...started, data: { ...(started.data as object), startedOn: 'soon' } }),
      /payload\/data\/startedOn should match format "date"/,
    ],
    [
      'a schema version no channel message has',
      () => published({ ...started, schemaVersion: 7 }),
      /no message of t_1\.milestones\.events has these headers \(ce_type milestone\.started, ce_schemaversion 7\)/,
    ],
    [
      'a CloudEvents header left out',
      () => {
        const m = published();
        delete m.headers[CloudEventHeaders.id];
        return m;
      },
      /headers of milestone\.started: should have required property 'ce_id'/,
    ],
    [
      'a key that is not the agreement',
      () => ({ ...published(), key: M }),
      /key 0197a3c2-5d1e-7b4a-9c3f-2e8d1a6b4c71 is not the event's agreementId/,
    ],
    ['no key at all', () => ({ ...published(), key: null }), /key should be string/],
    [
      'an envelope whose type disagrees with its header',
      () => ({ ...published(), value: JSON.stringify({ ...started, type: 'milestone.met' }) }),
      /payload\/type should be equal to constant/,
    ],
  ])('reports a malformed message: %s', (_, message, problem) => {
    const findings = asyncApiFindings(document, [onTopic(`${prefix}milestones.events`, message(), '5')]);
    expect(findings).toEqual(
      expect.arrayContaining([expect.stringMatching(/^t_1\.milestones\.events\/0@5/)]),
    );
    expect(findings.join('\n')).toMatch(problem);
  });

  it('reports a message on a topic the document has no channel for', () => {
    expect(asyncApiFindings(document, [onTopic('elsewhere.events', published())])).toEqual([
      'elsewhere.events/0@0: no channel has the address elsewhere.events',
    ]);
  });

  it('reports a dead letter without the DLQ headers', () => {
    expect(
      asyncApiFindings(document, [onTopic(`${prefix}${dlqTopicOf(Topics.milestones)}`, published())]).join(
        '\n',
      ),
    ).toMatch(/should have required property 'dlq-error'/);
  });
});
