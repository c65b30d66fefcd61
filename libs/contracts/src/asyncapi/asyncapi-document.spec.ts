import { DiagnosticSeverity, Parser } from '@asyncapi/parser';
import { dlqTopicOf, Topics } from '../topics';
import { asyncApiDocument, DEAD_LETTER_MESSAGE, messageIdOf } from './asyncapi-document';
import { EventSchemas } from './event-schemas';

const milestones = {
  service: 'milestones',
  version: '1.0.0',
  publishes: Topics.milestones,
  consumes: [Topics.milestones, Topics.agreements],
};

async function parse(document: object) {
  const { document: parsed, diagnostics } = await new Parser().parse(document as never);
  const errors = diagnostics
    .filter((d) => d.severity === DiagnosticSeverity.Error)
    .map((d) => `${d.code}: ${d.message} at ${d.path.join('/')}`);
  return { parsed, errors };
}

describe('the AsyncAPI document', () => {
  it('parses with @asyncapi/parser without errors', async () => {
    const { parsed, errors } = await parse(asyncApiDocument({ ...milestones, topicPrefix: 'e2e_x.' }));
    expect(errors).toEqual([]);
    expect(parsed?.version()).toBe('3.0.0');
    expect(parsed?.allMessages().length).toBe(EventSchemas.length + 1);
  });

  it('has the three topics and their DLQs as channels, with the environment’s prefix', () => {
    const doc = asyncApiDocument({ ...milestones, topicPrefix: 'e2e_x.' }) as {
      channels: Record<string, { address: string; messages: object }>;
    };
    const topics = Object.values(Topics);
    expect(
      Object.values(doc.channels)
        .map((c) => c.address)
        .sort(),
    ).toEqual([...topics, ...topics.map(dlqTopicOf)].map((t) => `e2e_x.${t}`).sort());
    expect(Object.keys(doc.channels.milestones_events.messages)).toEqual(
      EventSchemas.filter((e) => e.topic === Topics.milestones).map((e) =>
        messageIdOf(e.type, e.schemaVersion),
      ),
    );
    expect(Object.keys(doc.channels.milestones_events_dlq.messages)).toEqual([DEAD_LETTER_MESSAGE]);
  });

  it('has as operations what the service sends and receives', () => {
    const { operations } = asyncApiDocument(milestones) as {
      operations: Record<string, { action: string; channel: { $ref: string } }>;
    };
    expect(Object.entries(operations).map(([id, o]) => `${id}: ${o.action} ${o.channel.$ref}`)).toEqual([
      'publish_milestones_events: send #/channels/milestones_events',
      'consume_milestones_events: receive #/channels/milestones_events',
      'deadLetter_milestones_events_dlq: send #/channels/milestones_events_dlq',
      'readDeadLetters_milestones_events_dlq: receive #/channels/milestones_events_dlq',
      'redrive_milestones_events: send #/channels/milestones_events',
      'consume_agreements_events: receive #/channels/agreements_events',
      'deadLetter_agreements_events_dlq: send #/channels/agreements_events_dlq',
      'readDeadLetters_agreements_events_dlq: receive #/channels/agreements_events_dlq',
      'redrive_agreements_events: send #/channels/agreements_events',
    ]);
  });

  it('the parser reports a broken document (the check can fail)', async () => {
    const doc = asyncApiDocument(milestones) as { operations: Record<string, { channel: { $ref: string } }> };
    doc.operations.publish_milestones_events.channel = { $ref: '#/channels/nowhere' };
    expect((await parse(doc)).errors).toEqual(expect.arrayContaining([expect.stringMatching(/nowhere/)]));
  });
});
