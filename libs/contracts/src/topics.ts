/** Kafka topics; each has a `.dlq` twin for messages that cannot be processed. */
export const Topics = {
  agreements: 'agreements.events',
  milestones: 'milestones.events',
  alerts: 'alerts.events',
} as const;

export type TopicName = (typeof Topics)[keyof typeof Topics];

export function dlqTopicOf(topic: string): string {
  return `${topic}.dlq`;
}
