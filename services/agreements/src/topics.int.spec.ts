/**
 * The service creates its topics (and their .dlq twins) with the partition count and retention from its
 * configuration, under its topic prefix.
 */
import { ConfigResourceTypes, Kafka, logLevel } from 'kafkajs';
import { Topics } from '@tracker/contracts';
import { startService, testConfig, uniqueName, type RunningService } from '@tracker/testing';
import { AgreementsApp } from './service';
import { AgreementsConfig } from './config';

describe('topic creation from configuration', () => {
  const prefix = `${uniqueName('topics')}.`;
  const kafka = new Kafka({ clientId: 'topics-test', brokers: process.env.KAFKA_BROKERS!.split(','), logLevel: logLevel.ERROR });
  const admin = kafka.admin();
  let svc: RunningService;

  beforeAll(async () => {
    await admin.connect();
    svc = await startService(
      AgreementsApp.forRoot(
        testConfig(AgreementsConfig, { KAFKA_TOPIC_PREFIX: prefix, KAFKA_TOPIC_PARTITIONS: '2', KAFKA_TOPIC_RETENTION_MS: '86400000' }),
      ),
    );
  });

  afterAll(async () => {
    await svc?.close();
    const mine = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    await admin.deleteTopics({ topics: mine }).catch(() => undefined);
    await admin.disconnect();
  });

  it('creates its own and its consumed topics with the configured partitions and retention, each with a .dlq twin', async () => {
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix)).sort();
    const own = prefix + Topics.agreements;
    const consumed = prefix + Topics.milestones;
    expect(topics).toEqual(expect.arrayContaining([own, `${own}.dlq`, consumed, `${consumed}.dlq`]));
    const meta = await admin.fetchTopicMetadata({ topics: [own, consumed] });
    for (const t of meta.topics) expect(t.partitions).toHaveLength(2);
    const configs = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: own, configNames: ['retention.ms'] }],
    });
    expect(configs.resources[0].configEntries.find((e) => e.configName === 'retention.ms')?.configValue).toBe('86400000');
  });

  it('refuses a partition count that is not a positive integer, naming the variable', () => {
    expect(() => testConfig(AgreementsConfig, { KAFKA_TOPIC_PARTITIONS: '0' })).toThrow(/KAFKA_TOPIC_PARTITIONS/);
    expect(() => testConfig(AgreementsConfig, { KAFKA_TOPIC_RETENTION_MS: 'a week' })).toThrow(/KAFKA_TOPIC_RETENTION_MS/);
  });
});
