/**
 * GET /milestones/export.csv against the real stack: the CSV, parsed back with a CSV library, equals what the
 * JSON list answers for the same filters.
 */
import type { Producer } from 'kafkajs';
import { parse } from 'csv-parse/sync';
import { v7 as uuidv7 } from 'uuid';
import { Topics } from '@tracker/contracts';
import { agreementRegistration, TestClock, eventually, startService, testConfig, uniqueName, type RunningService, ForeignEvents, publishEvent, testProducer } from '@tracker/testing';
import { MilestonesApp } from '../service';
import { MilestonesConfig } from '../config';
import type { MilestoneView } from './milestones.service';

const COLUMNS = [
  'id',
  'agreementId',
  'agreementReference',
  'type',
  'title',
  'status',
  'responsibleParty',
  'plannedDueDate',
  'dueDate',
  'slipCount',
  'slipDays',
  'overdue',
  'percent',
  'startedOn',
  'outcomeOn',
  'closedOn',
  'closingReason',
  'evidence',
  'plannedAt',
  'updatedAt',
  'version',
];

describe('milestones CSV export', () => {
  const clock = new TestClock('2026-03-01T09:00:00Z');
  const prefix = `${uniqueName('msx')}.`;
  let svc: RunningService;
  let producer: Producer;
  const events = new ForeignEvents(() => clock.now());
  const trUz = uuidv7();
  const usUz = uuidv7();
  const referenceOf: Record<string, string> = { [trUz]: 'TR-UZ-2026-MINING', [usUz]: 'US-UZ-2026-CRITMIN' };

  const plan = (body: object) =>
    eventually(async () => {
      const r = await svc.as('monitor').post('/milestones').send(body);
      if (r.status !== 201) throw new Error(`planning answered ${r.status}, expected 201`);
      return r.body as { id: string };
    });

  beforeAll(async () => {
    svc = await startService(
      MilestonesApp.forRoot(testConfig(MilestonesConfig, { KAFKA_TOPIC_PREFIX: prefix }), { clock }),
    );
    producer = await testProducer('test');
    for (const [id, reference] of Object.entries(referenceOf)) {
      const envelope = events.next(`agreement-${id}`, id, 'agreement.registered', {
        agreementId: id,
        ...agreementRegistration(reference),
      });
      await publishEvent(producer, `${prefix}${Topics.agreements}`, envelope);
    }
    const survey = await plan({
      agreementId: trUz,
      type: 'geological_survey',
      title: 'Joint exploration, "resource mapping"; phase 1\nthree regions',
      responsibleParty: 'State Committee on Geology',
      dueDate: '2026-12-31',
      evidence: [{ url: 'https://example.org/survey' }, { url: 'https://example.org/survey-map' }],
    });
    await svc
      .as('monitor')
      .post(`/milestones/${survey.id}/reschedule`)
      .set('If-Match', '"1"')
      .send({ newDueDate: '2027-03-31', reason: 'funding delayed' })
      .expect(200);
    await plan({
      agreementId: trUz,
      type: 'workforce_training',
      title: '=SUM(A1:A9) training places',
      responsibleParty: '-Ministry of Education',
      dueDate: '2026-02-15',
    });
    await plan({ agreementId: usUz, type: 'financing', title: 'Financing facility', dueDate: '2026-09-30' });
  });
  afterAll(async () => {
    await producer?.disconnect();
    await svc?.close();
  });

  const guard = (text: string) => (/^[=+\-@\t\r]/.test(text) ? `'${text}` : text);
  /** A JSON milestone as its CSV row should read, built here from the JSON. */
  const rowOf = (m: MilestoneView) => ({
    id: m.id,
    agreementId: m.agreementId,
    agreementReference: referenceOf[m.agreementId],
    type: m.type,
    title: guard(m.title),
    status: m.status,
    responsibleParty: guard(m.responsibleParty ?? ''),
    plannedDueDate: m.plannedDueDate,
    dueDate: m.dueDate,
    slipCount: String(m.slipCount),
    slipDays: String(m.slips.reduce((days, s) => days + s.slipDays, 0)),
    overdue: String(m.overdue),
    percent: String(m.percent),
    startedOn: m.startedOn ?? '',
    outcomeOn: m.outcomeOn ?? '',
    closedOn: m.closedOn ?? '',
    closingReason: m.closingReason ?? '',
    evidence: m.evidence.map((e) => e.url).join('; '),
    plannedAt: m.plannedAt,
    updatedAt: m.updatedAt,
    version: String(m.version),
  });
  const exported = async (query: string) => {
    const res = await svc.as('stakeholder').get(`/milestones/export.csv${query}`).expect(200);
    return { res, rows: parse(res.text, { columns: true }) as Array<Record<string, string>> };
  };

  it('answers every milestone as RFC 4180 CSV with a header row, equal to the JSON list', async () => {
    const { res, rows } = await exported('');
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="milestones-2026-03-01.csv"');
    expect(res.text.split('\r\n')[0]).toBe(COLUMNS.join(','));
    const json = await svc.as('stakeholder').get('/milestones?limit=100').expect(200);
    expect(json.body.items).toHaveLength(3);
    expect(rows).toEqual(json.body.items.map(rowOf));
    expect(rows[0]).toMatchObject({
      title: 'Joint exploration, "resource mapping"; phase 1\nthree regions',
      evidence: 'https://example.org/survey; https://example.org/survey-map',
      slipCount: '1',
      slipDays: '90',
      dueDate: '2027-03-31',
      plannedDueDate: '2026-12-31',
    });
    expect(rows[1]).toMatchObject({
      title: "'=SUM(A1:A9) training places",
      responsibleParty: "'-Ministry of Education",
      overdue: 'true',
    });
  });

  it.each([
    ['agreement', () => `agreementId=${trUz}`, 2],
    ['type', () => 'type=financing', 1],
    ['slipped', () => 'slipped=true', 1],
    ['overdue', () => 'overdue=true', 1],
    ['not overdue', () => 'overdue=false', 2],
    ['due window', () => 'dueAfter=2026-06-01&dueBefore=2027-01-01', 1],
    ['status', () => 'status=scheduled', 3],
    ['overdue and closed: nothing', () => 'overdue=true&status=met', 0],
  ])('takes the list filter %s', async (_name, query, count) => {
    const json = await svc.as('auditor').get(`/milestones?limit=100&${query()}`).expect(200);
    const { rows } = await exported(`?${query()}`);
    expect(rows).toEqual(json.body.items.map(rowOf));
    expect(rows).toHaveLength(count);
  });

  it('answers only the header row when nothing matches', async () => {
    const { res, rows } = await exported(`?agreementId=${uuidv7()}`);
    expect(res.text).toBe(`${COLUMNS.join(',')}\r\n`);
    expect(rows).toEqual([]);
  });

  it('refuses bad filters and paging with 400 problem details', async () => {
    for (const [query, field] of [
      ['?type=party', 'type'],
      ['?limit=5', 'limit'],
      ['?dueBefore=2026-02-30', 'dueBefore'],
      ['?agreementId=TR-UZ', 'agreementId'],
    ]) {
      const res = await svc.as('monitor').get(`/milestones/export.csv${query}`).expect(400);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
  });
});
