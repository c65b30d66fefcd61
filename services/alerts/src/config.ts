import { Type } from 'class-transformer';
import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { EventSourcedServiceConfig } from '@tracker/service-runtime';
import type { AlertPolicy, ForecastPolicy } from '@tracker/alerts-domain';

export class AlertsConfig extends EventSourcedServiceConfig {
  override PORT = 3003;
  override MONGO_DB = 'alerts';

  /** Days before a due date at which deadline.approaching is raised, comma-separated. */
  @Matches(/^\d{1,4}(\s*,\s*\d{1,4}){0,9}$/, { message: 'ALERT_APPROACH_WINDOWS_DAYS must be up to 10 whole numbers of days, comma-separated, e.g. 30,7,1' })
  ALERT_APPROACH_WINDOWS_DAYS = '30,7,1';

  /**
   * Whole days without activity before an agreement is stalled: the same variable the agreements service reads,
   * so that one setting gives the dashboard's `stalled` and the agreement.stalled alert the same day.
   */
  @Type(() => Number)
  @IsInt({ message: 'STALLED_AFTER_DAYS must be an integer between 1 and 3650' })
  @Min(1, { message: 'STALLED_AFTER_DAYS must be an integer between 1 and 3650' })
  @Max(3650, { message: 'STALLED_AFTER_DAYS must be an integer between 1 and 3650' })
  STALLED_AFTER_DAYS = 180;

  /** agreement.stalled after this many days instead of STALLED_AFTER_DAYS (unset: the same; set: alerts only). */
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'ALERT_STALLED_AFTER_DAYS must be an integer between 1 and 3650, or unset to follow STALLED_AFTER_DAYS' })
  @Min(1, { message: 'ALERT_STALLED_AFTER_DAYS must be an integer between 1 and 3650, or unset to follow STALLED_AFTER_DAYS' })
  @Max(3650, { message: 'ALERT_STALLED_AFTER_DAYS must be an integer between 1 and 3650, or unset to follow STALLED_AFTER_DAYS' })
  ALERT_STALLED_AFTER_DAYS?: number;

  /** How often the deadline scheduler runs (wall-clock ms); 0 switches the timer off (tests call runOnce). */
  @Type(() => Number)
  @IsInt({ message: 'ALERT_SCAN_INTERVAL_MS must be 0 (off) or an integer number of milliseconds up to one day' })
  @Min(0, { message: 'ALERT_SCAN_INTERVAL_MS must be 0 (off) or an integer number of milliseconds up to one day' })
  @Max(86_400_000, { message: 'ALERT_SCAN_INTERVAL_MS must be 0 (off) or an integer number of milliseconds up to one day' })
  ALERT_SCAN_INTERVAL_MS = 60_000;

  /** How often due webhook deliveries are sent (wall-clock ms); 0 switches the timer off (tests call runOnce). */
  @Type(() => Number)
  @IsInt({ message: 'DELIVERY_INTERVAL_MS must be an integer between 0 and 3600000' })
  @Min(0, { message: 'DELIVERY_INTERVAL_MS must be an integer between 0 and 3600000' })
  @Max(3600000, { message: 'DELIVERY_INTERVAL_MS must be an integer between 0 and 3600000' })
  DELIVERY_INTERVAL_MS = 5_000;

  /** First retry delay of a failed delivery; doubles per attempt, with jitter. */
  @Type(() => Number)
  @IsInt({ message: 'DELIVERY_RETRY_INITIAL_MS must be an integer between 1 and 86400000' })
  @Min(1, { message: 'DELIVERY_RETRY_INITIAL_MS must be an integer between 1 and 86400000' })
  @Max(86400000, { message: 'DELIVERY_RETRY_INITIAL_MS must be an integer between 1 and 86400000' })
  DELIVERY_RETRY_INITIAL_MS = 30_000;

  /** Longest retry delay. */
  @Type(() => Number)
  @IsInt({ message: 'DELIVERY_RETRY_MAX_MS must be an integer between 1 and 86400000' })
  @Min(1, { message: 'DELIVERY_RETRY_MAX_MS must be an integer between 1 and 86400000' })
  @Max(86400000, { message: 'DELIVERY_RETRY_MAX_MS must be an integer between 1 and 86400000' })
  DELIVERY_RETRY_MAX_MS = 3 * 3_600_000;

  /** A delivery still failing this long after it was created (or re-driven) is undeliverable: kept, re-drivable. */
  @Type(() => Number)
  @IsInt({ message: 'DELIVERY_GIVE_UP_AFTER_MS must be an integer between 60000 and 2592000000' })
  @Min(60000, { message: 'DELIVERY_GIVE_UP_AFTER_MS must be an integer between 60000 and 2592000000' })
  @Max(2592000000, { message: 'DELIVERY_GIVE_UP_AFTER_MS must be an integer between 60000 and 2592000000' })
  DELIVERY_GIVE_UP_AFTER_MS = 2 * 86_400_000;

  /**
   * Hosts and CIDRs webhooks may reach although the outbound policy refuses them (loopback, private…), comma-
   * separated, e.g. `127.0.0.1/32` for a receiver on this machine. Empty (the default): only public addresses.
   */
  @Matches(/^$|^[A-Za-z0-9.:-]+(\/\d{1,3})?(\s*,\s*[A-Za-z0-9.:-]+(\/\d{1,3})?)*$/, {
    message: 'OUTBOUND_ALLOW must be host names or CIDRs, comma-separated, e.g. 127.0.0.1/32,hooks.internal',
  })
  OUTBOUND_ALLOW = '';

  /** How long a webhook receiver may take to answer. */
  @Type(() => Number)
  @IsInt({ message: 'DELIVERY_TIMEOUT_MS must be an integer between 100 and 120000' })
  @Min(100, { message: 'DELIVERY_TIMEOUT_MS must be an integer between 100 and 120000' })
  @Max(120000, { message: 'DELIVERY_TIMEOUT_MS must be an integer between 100 and 120000' })
  DELIVERY_TIMEOUT_MS = 10_000;

  /** An attempt claimed this long ago without an answer recorded was lost with its sender: written off. */
  @Type(() => Number)
  @IsInt({ message: 'DELIVERY_STALE_CLAIM_MS must be an integer between 1000 and 86400000' })
  @Min(1000, { message: 'DELIVERY_STALE_CLAIM_MS must be an integer between 1000 and 86400000' })
  @Max(86400000, { message: 'DELIVERY_STALE_CLAIM_MS must be an integer between 1000 and 86400000' })
  DELIVERY_STALE_CLAIM_MS = 120_000;

  /** Deliveries sent per run. */
  @Type(() => Number)
  @IsInt({ message: 'DELIVERY_BATCH_SIZE must be an integer between 1 and 10000' })
  @Min(1, { message: 'DELIVERY_BATCH_SIZE must be an integer between 1 and 10000' })
  @Max(10000, { message: 'DELIVERY_BATCH_SIZE must be an integer between 1 and 10000' })
  DELIVERY_BATCH_SIZE = 100;

  /** milestone.atRisk when the forecast completes more than this many days after the due date. */
  @Type(() => Number)
  @IsInt({ message: 'ALERT_AT_RISK_AFTER_DAYS must be an integer between 0 and 365' })
  @Min(0, { message: 'ALERT_AT_RISK_AFTER_DAYS must be an integer between 0 and 365' })
  @Max(365, { message: 'ALERT_AT_RISK_AFTER_DAYS must be an integer between 0 and 365' })
  ALERT_AT_RISK_AFTER_DAYS = 7;

  /** The forecast's velocity is fitted on this many latest progress reports. */
  @Type(() => Number)
  @IsInt({ message: 'FORECAST_REPORTS must be an integer between 2 and 10' })
  @Min(2, { message: 'FORECAST_REPORTS must be an integer between 2 and 10' })
  @Max(10, { message: 'FORECAST_REPORTS must be an integer between 2 and 10' })
  FORECAST_REPORTS = 5;

  /**
   * How stale (wall-clock ms) an instance's in-memory silences may be: a silence created or expired through another
   * instance is seen here within this time (this instance's own writes at once).
   */
  @Type(() => Number)
  @IsInt({ message: 'SILENCES_REFRESH_MS must be an integer between 100 and 600000' })
  @Min(100, { message: 'SILENCES_REFRESH_MS must be an integer between 100 and 600000' })
  @Max(600_000, { message: 'SILENCES_REFRESH_MS must be an integer between 100 and 600000' })
  SILENCES_REFRESH_MS = 5_000;

  forecastPolicy(): ForecastPolicy {
    return { reports: this.FORECAST_REPORTS, thresholdDays: this.ALERT_AT_RISK_AFTER_DAYS };
  }

  policy(): AlertPolicy {
    return {
      approachWindows: this.ALERT_APPROACH_WINDOWS_DAYS.split(',').map((w) => Number(w.trim())),
      stalledAfterDays: this.ALERT_STALLED_AFTER_DAYS ?? this.STALLED_AFTER_DAYS,
    };
  }

  /** This service's public base URL: the `links` in alert payloads point here (no trailing slash). */
  @Matches(/^https?:\/\/[^\s/?#]+(\/[^\s?#]*[^\s?#/])?$/, { message: 'PUBLIC_URL must be an http(s) base URL without a trailing slash, e.g. https://alerts.example.org' })
  PUBLIC_URL = 'http://localhost:3003';

  /** The agreements service's public base URL, for the payloads' agreement links. */
  @Matches(/^https?:\/\/[^\s/?#]+(\/[^\s?#]*[^\s?#/])?$/, { message: 'AGREEMENTS_URL must be an http(s) base URL without a trailing slash, e.g. https://agreements.example.org' })
  AGREEMENTS_URL = 'http://localhost:3001';

  /** The milestones service's public base URL, for the payloads' milestone links. */
  @Matches(/^https?:\/\/[^\s/?#]+(\/[^\s?#]*[^\s?#/])?$/, { message: 'MILESTONES_URL must be an http(s) base URL without a trailing slash, e.g. https://milestones.example.org' })
  MILESTONES_URL = 'http://localhost:3002';

  /** A reconnecting live stream (Last-Event-ID) is sent at most this many missed alerts (and none older than 24 h). */
  @Type(() => Number)
  @IsInt({ message: 'LIVE_BACKLOG_MAX must be an integer between 1 and 10000' })
  @Min(1, { message: 'LIVE_BACKLOG_MAX must be an integer between 1 and 10000' })
  @Max(10000, { message: 'LIVE_BACKLOG_MAX must be an integer between 1 and 10000' })
  LIVE_BACKLOG_MAX = 500;

  /** How often the digest scheduler looks for digests due (wall-clock ms); 0 switches the timer off (tests call runOnce). */
  @Type(() => Number)
  @IsInt({ message: 'DIGEST_INTERVAL_MS must be 0 (off) or an integer number of milliseconds up to one hour' })
  @Min(0, { message: 'DIGEST_INTERVAL_MS must be 0 (off) or an integer number of milliseconds up to one hour' })
  @Max(3_600_000, { message: 'DIGEST_INTERVAL_MS must be 0 (off) or an integer number of milliseconds up to one hour' })
  DIGEST_INTERVAL_MS = 60_000;
}
