import { Type } from 'class-transformer';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { BaseServiceConfig } from '@tracker/platform';

/** Settings of a service with an event store and Kafka topics (all three services). */
export class EventSourcedServiceConfig extends BaseServiceConfig {
  /**
   * Put before every topic and consumer-group name, e.g. `staging.` → `staging.agreements.events`. Lets several
   * environments (or test runs) share one Kafka cluster without seeing each other's events. Empty by default.
   */
  @IsOptional()
  @Matches(/^[a-z0-9_-]{1,40}\.$/, { message: 'KAFKA_TOPIC_PREFIX must be lower-case letters, digits, _ or - ending with a dot, e.g. staging.' })
  KAFKA_TOPIC_PREFIX?: string;

  /** Partitions of the topics this service creates (existing topics are left as they are). */
  @Type(() => Number)
  @IsInt({ message: 'KAFKA_TOPIC_PARTITIONS must be an integer between 1 and 1000' })
  @Min(1, { message: 'KAFKA_TOPIC_PARTITIONS must be an integer between 1 and 1000' })
  @Max(1000, { message: 'KAFKA_TOPIC_PARTITIONS must be an integer between 1 and 1000' })
  KAFKA_TOPIC_PARTITIONS = 6;

  /**
   * retention.ms of the topics this service creates. -1 keeps events for ever (the event store is the source of
   * truth, but the alerts service can rebuild from the topics). Unset: the broker's default.
   */
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'KAFKA_TOPIC_RETENTION_MS must be an integer number of milliseconds, or -1 for ever' })
  @Min(-1, { message: 'KAFKA_TOPIC_RETENTION_MS must be an integer number of milliseconds, or -1 for ever' })
  KAFKA_TOPIC_RETENTION_MS?: number;

  /**
   * How often the service re-reads which collections its read models live in (a replay in another instance
   * switches them); a replay waits this long after its switch before catching up. 0 = never re-read.
   */
  @Type(() => Number)
  @IsInt({ message: 'READ_MODEL_REFRESH_MS must be an integer number of milliseconds (0 = never)' })
  @Min(0, { message: 'READ_MODEL_REFRESH_MS must be an integer number of milliseconds (0 = never)' })
  READ_MODEL_REFRESH_MS = 5000;
}
