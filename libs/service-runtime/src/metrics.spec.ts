import { MetricsService } from '@tracker/platform';
import { RuntimeMetrics } from './metrics';

describe('runtime metrics', () => {
  it('exposes events appended, dead letters, the outbox age and consumer lag on the service registry', async () => {
    const registry = new MetricsService('test-service');
    const metrics = new RuntimeMetrics(registry);
    metrics.eventsAppended([{ type: 'agreement.registered' }, { type: 'agreement.registered' }]);
    metrics.deadLetter('milestones.events');
    metrics.outboxAge(() => 12.5);
    metrics.consumerLag(async () => [{ topic: 'agreements.events', partition: 2, lag: 7 }]);
    metrics.consumerLag(() => {
      throw new Error('a broken source does not break the scrape');
    });

    const text = (await registry.expose()).body;
    expect(text).toContain('events_appended_total{type="agreement.registered",service="test-service"} 2');
    expect(text).toContain('dlq_messages_total{topic="milestones.events",service="test-service"} 1');
    expect(text).toContain('outbox_oldest_unpublished_age_seconds{service="test-service"} 12.5');
    expect(text).toContain(
      'kafka_consumer_lag{topic="agreements.events",partition="2",service="test-service"} 7',
    );
  });
});
