/**
 * An alert as a person reads it, wherever it goes (webhooks, the live stream, the digest): the agreement and the
 * milestone as they stand NOW (from the read models, by `_id`), the alert with its reason in words, the facts
 * that raised it, and absolute links to act on. "A resolved missed alert still says milestoneStatus: scheduled"
 * was the bug: `facts` are as raised, `milestone.status` is current.
 *
 * Three views of one shape, kept together so they cannot drift apart unseen: the TypeScript type (`AlertPayload`),
 * the JSON Schema for receivers (`ALERT_PAYLOAD_SCHEMA`, draft 2020-12, tested against built payloads) and the
 * Swagger classes for the OpenAPI (`AlertPayloadDto`, each implementing its part of the type).
 */
import { Injectable } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import {
  AlertKinds,
  AlertResolutions,
  AlertSeverities,
  AlertStatuses,
  MilestoneStatuses,
  MilestoneTypes,
  AgreementLifecycles,
  type AlertDetails,
  type AlertKind,
  type AlertPayload,
  type AlertResolution,
  type AlertSeverity,
  type AlertStatus,
  type PayloadParty,
} from '@tracker/contracts';
import { alertReason, windowOf } from '@tracker/alerts-domain';
import { AlertsConfig } from '../config';
import { AgreementInfoStore, type AgreementInfo, type AgreementReads } from '../read-model/agreement-info';
import { DeadlineStore, type DeadlineDoc } from '../read-model/deadlines';
import type { AlertDoc } from './alerts.service';
import { AlertDetailsDto, AlertFactsDto } from './responses';

export function detailsOf(payload: AlertPayload): AlertDetails {
  const { reason, windowDays, slipNumber, agreement, milestone, links } = payload;
  return { reason, windowDays, slipNumber, agreement, milestone, links };
}

/** Where the links point: this service, agreements, milestones (public base URLs, no trailing slash). */
export interface PayloadUrls {
  alerts: string;
  agreements: string;
  milestones: string;
}

/** The parties' countries with their names; an info written before names were kept: the countries only. */
function partiesOf(info: AgreementInfo): PayloadParty[] {
  if (info.parties) return info.parties.flatMap((p) => (p.country ? [{ country: p.country.toUpperCase(), name: p.name }] : []));
  return (info.partyCountries ?? []).map((country) => ({ country }));
}

/** Builds the payload (pure): the alert, what the read models show now (null: not known here yet), the base URLs. */
export function buildAlertPayload(alert: AlertDoc, info: AgreementInfo | null, deadline: DeadlineDoc | null, urls: PayloadUrls): AlertPayload {
  const milestoneId = alert.milestoneId;
  return {
    id: alert._id,
    kind: alert.kind,
    severity: alert.severity,
    status: alert.status,
    reason: alertReason({ ...alert, agreementTitle: info?.title ?? null }),
    raisedAt: alert.raisedAt,
    acknowledgedAt: alert.acknowledgedAt ?? null,
    resolvedAt: alert.resolvedAt ?? null,
    resolution: alert.resolution ?? null,
    dueDate: alert.dueDate,
    ...windowOf(alert),
    facts: alert.facts ?? {},
    agreement: {
      id: alert.agreementId,
      reference: info?.reference ?? null,
      title: info?.title ?? null,
      parties: info ? partiesOf(info) : [],
      lifecycle: info?.lifecycle ?? null,
    },
    milestone: milestoneId
      ? {
          id: milestoneId,
          title: deadline?.title ?? alert.milestoneTitle,
          type: deadline?.type ?? alert.milestoneType,
          dueDate: deadline?.dueDate ?? null,
          status: deadline?.status ?? null,
          slipCount: deadline?.slipCount ?? null,
        }
      : null,
    links: {
      alert: `${urls.alerts}/alerts/${alert._id}`,
      agreement: `${urls.agreements}/agreements/${alert.agreementId}`,
      milestone: milestoneId ? `${urls.milestones}/milestones/${milestoneId}` : null,
    },
  };
}

/** Alert payloads from the read models, each read by `_id` (one read per distinct agreement and milestone). */
@Injectable()
export class AlertPayloads {
  private readonly urls: PayloadUrls;

  constructor(
    private readonly agreements: AgreementInfoStore,
    private readonly deadlines: DeadlineStore,
    config: AlertsConfig,
  ) {
    this.urls = { alerts: config.PUBLIC_URL, agreements: config.AGREEMENTS_URL, milestones: config.MILESTONES_URL };
  }

  /** `reads`: agreements the caller has read already for this work (its filters), not read again. */
  async of(alert: AlertDoc, reads?: AgreementReads): Promise<AlertPayload> {
    return (await this.ofMany([alert], reads))[0];
  }

  /** Each view (of `alerts[i]`) with its alert's details: what GET /alerts and the webhooks answer. */
  async withDetails<T extends object>(alerts: readonly AlertDoc[], views: readonly T[], reads?: AgreementReads): Promise<Array<T & AlertDetails>> {
    const payloads = await this.ofMany(alerts, reads);
    return views.map((view, i) => ({ ...view, ...detailsOf(payloads[i]) }));
  }

  async ofMany(alerts: readonly AlertDoc[], reads: AgreementReads = this.agreements.reads()): Promise<AlertPayload[]> {
    const agreementIds = [...new Set(alerts.map((a) => a.agreementId))];
    const milestoneIds = [...new Set(alerts.flatMap((a) => (a.milestoneId ? [a.milestoneId] : [])))];
    const [infos, deadlines] = await Promise.all([
      Promise.all(agreementIds.map((id) => reads.get(id))),
      Promise.all(milestoneIds.map((id) => this.deadlines.get(id))),
    ]);
    const info = new Map(agreementIds.map((id, i) => [id, infos[i]]));
    const deadline = new Map(milestoneIds.map((id, i) => [id, deadlines[i]]));
    return alerts.map((a) => buildAlertPayload(a, info.get(a.agreementId) ?? null, a.milestoneId ? (deadline.get(a.milestoneId) ?? null) : null, this.urls));
  }
}

// ---- JSON Schema (draft 2020-12), for receivers ----

const nullable = (schema: Record<string, unknown>) => ({ anyOf: [schema, { type: 'null' }] });
const date = { type: 'string', format: 'date' } as const;
const dateTime = { type: 'string', format: 'date-time' } as const;
const uri = { type: 'string', format: 'uri' } as const;
const count = { type: 'integer', minimum: 0 } as const;

export const ALERT_PAYLOAD_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'urn:tracker:alerts:alert-payload:1',
  title: 'Alert payload',
  description: 'An alert with everything needed to act on it: the agreement and milestone as they stand now, the reason in words, links.',
  type: 'object',
  additionalProperties: false,
  required: [
    'id',
    'kind',
    'severity',
    'status',
    'reason',
    'raisedAt',
    'acknowledgedAt',
    'resolvedAt',
    'resolution',
    'dueDate',
    'windowDays',
    'slipNumber',
    'facts',
    'agreement',
    'milestone',
    'links',
  ],
  properties: {
    id: { type: 'string', format: 'uuid' },
    kind: { enum: [...AlertKinds] },
    severity: { enum: [...AlertSeverities] },
    status: { enum: [...AlertStatuses] },
    reason: { type: 'string', minLength: 1 },
    raisedAt: dateTime,
    acknowledgedAt: nullable(dateTime),
    resolvedAt: nullable(dateTime),
    resolution: { enum: [...AlertResolutions, null] },
    dueDate: nullable(date),
    windowDays: nullable({ type: 'integer' }),
    slipNumber: nullable({ type: 'integer', minimum: 1 }),
    facts: {
      type: 'object',
      description: 'the facts as the alert was raised; which are present depends on the kind',
      additionalProperties: false,
      properties: {
        milestoneStatus: { enum: [...MilestoneStatuses] },
        daysLeft: count,
        daysOverdue: count,
        previousDueDate: date,
        slipDays: count,
        slipCount: count,
        reason: { type: 'string' },
        outcome: { enum: [...AlertResolutions] },
        outcomeOn: date,
        lastActivityAt: dateTime,
        idleDays: count,
        projectedOn: nullable(date),
        projectedEarliest: nullable(date),
        projectedLatest: nullable(date),
        velocityPerDay: nullable({ type: 'number' }),
        reportsUsed: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['on', 'percent'],
            properties: { on: date, percent: { type: 'number', minimum: 0, maximum: 100 } },
          },
        },
        causedByEventId: { type: 'string', format: 'uuid' },
      },
    },
    agreement: {
      type: 'object',
      additionalProperties: false,
      required: ['id', 'reference', 'title', 'parties', 'lifecycle'],
      properties: {
        id: { type: 'string', format: 'uuid' },
        reference: nullable({ type: 'string' }),
        title: nullable({ type: 'string' }),
        parties: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['country'],
            properties: { country: { type: 'string', pattern: '^[A-Z]{2}$' }, name: { type: 'string' } },
          },
        },
        lifecycle: { enum: [...AgreementLifecycles, null] },
      },
    },
    milestone: {
      anyOf: [
        { type: 'null' },
        {
          type: 'object',
          additionalProperties: false,
          required: ['id', 'title', 'type', 'dueDate', 'status', 'slipCount'],
          properties: {
            id: { type: 'string', format: 'uuid' },
            title: nullable({ type: 'string' }),
            type: { enum: [...MilestoneTypes, null] },
            dueDate: nullable(date),
            status: { enum: [...MilestoneStatuses, null] },
            slipCount: nullable(count),
          },
        },
      ],
    },
    links: {
      type: 'object',
      additionalProperties: false,
      required: ['alert', 'agreement', 'milestone'],
      properties: { alert: uri, agreement: uri, milestone: nullable(uri) },
    },
  },
} as const;

// ---- OpenAPI ----

/** The payload: the alert's own fields and its details. */
export class AlertPayloadDto extends AlertDetailsDto implements AlertPayload {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ enum: AlertKinds })
  kind: AlertKind;

  @ApiProperty({ enum: AlertSeverities })
  severity: AlertSeverity;

  @ApiProperty({ enum: AlertStatuses })
  status: AlertStatus;

  @ApiProperty({ format: 'date-time' })
  raisedAt: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  acknowledgedAt: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  resolvedAt: string | null;

  @ApiProperty({ type: String, nullable: true, enum: [...AlertResolutions, null] })
  resolution: AlertResolution | null;

  @ApiProperty({ type: String, format: 'date', nullable: true, description: 'the due date the alert is about' })
  dueDate: string | null;

  @ApiProperty({ type: AlertFactsDto, description: 'as raised' })
  facts: AlertFactsDto;

}
