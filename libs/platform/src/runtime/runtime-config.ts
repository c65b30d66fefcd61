import { IsOptional, Matches } from 'class-validator';
import { BaseServiceConfig } from '../config/base-service-config';

/** Settings of a service with an event store and Kafka topics (all three services). */
export class EventSourcedServiceConfig extends BaseServiceConfig {
  /**
   * Put before every topic and consumer-group name, e.g. `staging.` → `staging.agreements.events`. Lets several
   * environments (or test runs) share one Kafka cluster without seeing each other's events. Empty by default.
   */
  @IsOptional()
  @Matches(/^[a-z0-9_-]{1,40}\.$/, { message: 'KAFKA_TOPIC_PREFIX must be lower-case letters, digits, _ or - ending with a dot, e.g. staging.' })
  KAFKA_TOPIC_PREFIX?: string;
}
