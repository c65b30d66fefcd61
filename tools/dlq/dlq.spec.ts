/** The argument parsing and tables of `npm run dlq` (its runs against a service: libs/service-runtime's DLQ test). */
import { UsageError } from '../lib/admin-api';
import { countsTable, deadLettersTable, ownerOf, parseArgs } from './dlq';

const env = {};
const local = (service: string, port: number) => ({ service, url: `http://localhost:${port}` });

describe('npm run dlq: arguments', () => {
  it('lists every service’s own DLQ topic without a topic', () => {
    expect(parseArgs(['list'], env)).toEqual({
      command: 'list',
      targets: [local('agreements', 3001), local('milestones', 3002), local('alerts', 3003)],
      ownTopicsOnly: true,
      key: 'dev-admin',
    });
    expect(parseArgs(['list', '--service', 'alerts'], env)).toMatchObject({ targets: [local('alerts', 3003)], ownTopicsOnly: false });
  });

  it('asks the service whose topic it is, adding .dlq when left out, prefix or not', () => {
    expect(parseArgs(['list', 'milestones.events.dlq'], env)).toMatchObject({ topic: 'milestones.events.dlq', targets: [local('milestones', 3002)] });
    expect(parseArgs(['redrive', 'staging.agreements.events'], env)).toMatchObject({ command: 'redrive', topic: 'staging.agreements.events.dlq', targets: [local('agreements', 3001)] });
    expect(parseArgs(['redrive', 'milestones.events.dlq', '--service', 'alerts'], env).targets).toEqual([local('alerts', 3003)]);
    expect(ownerOf('alerts.events.dlq')).toBe('alerts');
    expect(ownerOf('other.events.dlq')).toBeUndefined();
  });

  it('takes the group, the limit, the URL and the key from options, then the environment', () => {
    expect(parseArgs(['redrive', 'alerts.events', '--group', 'alerts.alerts', '--limit', '10', '--url', 'http://h:9/', '--api-key', 'k'], env)).toEqual({
      command: 'redrive',
      topic: 'alerts.events.dlq',
      targets: [{ service: 'alerts', url: 'http://h:9' }],
      ownTopicsOnly: false,
      group: 'alerts.alerts',
      limit: 10,
      key: 'k',
    });
    expect(parseArgs(['list', 'alerts.events'], { ALERTS_URL: 'http://a:1', TRACKER_ADMIN_KEY: 'admin-key' })).toMatchObject({
      targets: [{ service: 'alerts', url: 'http://a:1' }],
      key: 'admin-key',
    });
    // --url alone: any topic, that service
    expect(parseArgs(['list', 'pacts.events.dlq', '--url', 'http://h:9'], env).targets).toEqual([{ service: 'service', url: 'http://h:9' }]);
  });

  it.each([
    [[], /list or redrive\?/],
    [['purge', 'a.dlq'], /unknown command purge/],
    [['redrive'], /redrive which topic\?/],
    [['list', 'a.dlq', 'b.dlq'], /unexpected b.dlq/],
    [['list', '--service', 'payments'], /unknown service payments/],
    [['list', 'alerts.events', '--limit', '0'], /--limit must be a whole number/],
    [['list', 'alerts.events', '--limit'], /--limit needs a value/],
    [['list', '--verbose'], /unknown option --verbose/],
    [['list', '--group', 'g'], /go with a topic/],
    [['list', 'pacts.events.dlq'], /which service reads pacts.events.dlq\? Give --service or --url/],
    [['list', '--url', 'http://h:9'], /--url goes with one service/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseArgs(argv, env)).toThrow(UsageError);
    expect(() => parseArgs(argv, env)).toThrow(message);
    expect(() => parseArgs(argv, env)).toThrow(/usage: npm run dlq -- list \[<topic>\] \| redrive <topic>/);
  });
});

describe('npm run dlq: tables', () => {
  it('prints one row per dead letter, errors shortened and without pipes', () => {
    const text = deadLettersTable([
      {
        dlqTopic: 'milestones.events.dlq',
        partition: 0,
        offset: '4',
        key: 'agr-1',
        eventId: 'e-1',
        type: 'milestone.progress-reported',
        streamId: 'milestone-1',
        reason: 'retries-exhausted',
        error: `database | unavailable ${'x'.repeat(100)}`,
        originalTopic: 'milestones.events',
        originalPartition: 3,
        originalOffset: '17',
        consumerGroup: 'agreements.milestone-counts',
        failedAt: '2026-02-04T09:00:00.000Z',
        redrivenAt: null,
      },
    ]).split('\n');
    expect(text[0]).toBe('| partition | offset | key | event | type | reason | error | from | consumer group | failed at | redriven at |');
    expect(text).toHaveLength(3);
    expect(text[2]).toContain('| milestones.events/3@17 | agreements.milestone-counts | 2026-02-04T09:00:00.000Z |  |');
    expect(text[2]).toMatch(/\| database unavailable x+… \|/);
  });

  it('prints the counts of a re-drive', () => {
    expect(countsTable({ dlqTopic: 'a.dlq', total: 1200, redriven: 2, published: 1, alreadyRedriven: 3, failed: 0, remaining: 0, failures: [] }).split('\n')[2]).toBe(
      '| a.dlq | 1,200 | 2 | 1 | 3 | 0 | 0 |',
    );
  });
});
