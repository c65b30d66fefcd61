import { startService, testConfig, uniqueName, type RunningService } from '@tracker/testing';
import { AlertsApp } from './service';
import { AlertsConfig } from './config';

describe('alerts service', () => {
  let svc: RunningService;
  beforeAll(async () => {
    svc = await startService(AlertsApp.forRoot(testConfig(AlertsConfig, { KAFKA_TOPIC_PREFIX: `${uniqueName('al')}.` })));
  });
  afterAll(async () => svc?.close());

  it('is live and ready once MongoDB and Kafka answer', async () => {
    await svc.http.get('/health/live').expect(200);
    const ready = await svc.http.get('/health/ready').expect(200);
    expect(ready.body.details).toMatchObject({ mongodb: { status: 'up' }, kafka: { status: 'up' } });
  });

  it('serves its OpenAPI document and metrics', async () => {
    const docs = await svc.http.get('/docs-json').expect(200);
    expect(docs.body.info.title).toBe('Alerts API');
    await svc.http.get('/metrics').expect(200);
  });
});
