import { KafkaJSProtocolError } from 'kafkajs';
import { topicOffsets } from './topic-reader';

describe('topicOffsets', () => {
  // What a broker answers for a moment after a restart (the fault suite's Kafka SIGKILL), as kafkajs raises it.
  const notLeader = new KafkaJSProtocolError({
    type: 'NOT_LEADER_FOR_PARTITION',
    code: 6,
    retriable: true,
    message: 'This server is not the leader for that topic-partition',
  } as unknown as Error);
  const offsets = [{ partition: 0, offset: '3', high: '3', low: '0' }];

  it('waits out "not the leader" after a broker restart and returns the watermarks', async () => {
    const admin = { fetchTopicOffsets: jest.fn().mockRejectedValueOnce(notLeader).mockResolvedValue(offsets) };
    await expect(topicOffsets(admin, 'agreements.events')).resolves.toEqual(offsets);
    expect(admin.fetchTopicOffsets).toHaveBeenCalledTimes(2);
  });

  it('passes on an error that is not retriable at once', async () => {
    const denied = new KafkaJSProtocolError({
      type: 'TOPIC_AUTHORIZATION_FAILED',
      code: 29,
      retriable: false,
      message: 'Not authorized to access topics',
    } as unknown as Error);
    const admin = { fetchTopicOffsets: jest.fn().mockRejectedValue(denied) };
    await expect(topicOffsets(admin, 'agreements.events')).rejects.toBe(denied);
    expect(admin.fetchTopicOffsets).toHaveBeenCalledTimes(1);
  });

  it('gives up with the broker\'s error when it stays unavailable past the time allowed', async () => {
    const admin = { fetchTopicOffsets: jest.fn().mockRejectedValue(notLeader) };
    await expect(topicOffsets(admin, 'agreements.events', 500)).rejects.toBe(notLeader);
    expect(admin.fetchTopicOffsets.mock.calls.length).toBeGreaterThan(1);
  });
});
