import { Topics } from '@tracker/contracts';
import { AsyncApiController } from './asyncapi.controller';
import type { ResolvedService } from './service-definition';

describe('AsyncApiController', () => {
  // Only what the document is built from: the service's topic and the topics its projections and reactors read.
  const service = {
    name: 'alerts',
    topic: Topics.alerts,
    aggregates: [],
    projections: [
      { name: 'alert-views', source: 'store' },
      { name: 'milestone-deadlines', source: 'topics', topics: [Topics.milestones, Topics.agreements] },
    ],
    reactors: [],
  } as unknown as ResolvedService;

  it('serves the document with what the service sends and receives, on the environment’s topics', () => {
    const document = new AsyncApiController(service, { topicPrefix: 'staging.' }, {
      serviceName: 'alerts',
      version: '2.1.0',
    } as never).get() as {
      info: { title: string; version: string };
      channels: Record<string, { address: string }>;
      operations: Record<string, { action: string }>;
    };
    expect(document.info).toMatchObject({ title: 'alerts events', version: '2.1.0' });
    expect(document.channels.alerts_events.address).toBe('staging.alerts.events');
    expect(
      Object.keys(document.operations).filter(
        (id) => document.operations[id].action === 'receive' && id.startsWith('consume_'),
      ),
    ).toEqual(['consume_alerts_events', 'consume_milestones_events', 'consume_agreements_events']);
    expect(Object.keys(document.operations).filter((id) => id.startsWith('publish_'))).toEqual([
      'publish_alerts_events',
    ]);
  });
});
