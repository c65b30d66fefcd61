/**
 * OCDS export and import (issue 21), against the real stack: the seed agreements' milestones exported as release
 * packages that validate against the OCDS 1.1.5 schema subset (ocds-schema.ts), an import of an export changing
 * nothing, and an import of a changed package creating, updating and refusing milestones, idempotently.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import type { Producer } from 'kafkajs';
import { v7 as uuidv7 } from 'uuid';
import { Topics } from '@tracker/contracts';
import { agreementRegistration, eventually, ForeignEvents, publishEvent, startService, testConfig, TestClock, uniqueName, type RunningService, testProducer } from '@tracker/testing';
import { MilestonesConfig } from '../config';
import { MilestonesApp } from '../service';
import { releasePackageSchema } from './ocds-schema';

interface SeedAgreement {
  ref: string;
  title: string;
  milestones?: Array<{ type: string; title: string; due: string }>;
}
const seed = JSON.parse(
  readFileSync(path.resolve(__dirname, '../../../../deploy/demo-data/agreements.json'), 'utf8'),
) as { agreements: SeedAgreement[] };

type Package = {
  releases: Array<{
    ocid: string;
    id: string;
    contracts: Array<{ implementation: { milestones: Array<Record<string, unknown>> } }>;
  }>;
} & Record<string, unknown>;
const milestonesOf = (pkg: Package) => pkg.releases[0].contracts[0].implementation.milestones;
/** The package but its uri (which names the origin the request reached: supertest picks a port per request). */
const content = ({ uri: _uri, ...pkg }: Package) => pkg;

/** The one element `predicate` picks (a test fails plainly when there is none). */
function only<T>(items: readonly T[], predicate: (item: T) => boolean): T {
  const found = items.find(predicate);
  if (found === undefined) throw new Error('no such element');
  return found;
}

const validate = new Ajv({ allErrors: true, format: 'full' }).compile(releasePackageSchema);

describe('OCDS export and import of milestones', () => {
  const clock = new TestClock('2026-03-01T09:00:00Z');
  const prefix = `${uniqueName('ocds')}.`;
  let svc: RunningService;
  let producer: Producer;
  const agreements: Array<{ id: string; seed: SeedAgreement; milestoneIds: string[] }> = [];
  const evidence = [{ url: 'https://example.org/survey-report.pdf', title: 'Survey report' }];

  const exportOf = async (id: string): Promise<Package> =>
    (await svc.as('stakeholder').get(`/ocds/agreements/${id}`).expect(200)).body;
  const importing = (body: object) => svc.as('monitor').post('/ocds/imports').send(body);

  beforeAll(async () => {
    svc = await startService(
      MilestonesApp.forRoot(testConfig(MilestonesConfig, { KAFKA_TOPIC_PREFIX: prefix }), { clock }),
    );
    producer = await testProducer('ocds-test');
    const events = new ForeignEvents(() => clock.now());
    for (const a of seed.agreements) {
      const id = uuidv7();
      await publishEvent(
        producer,
        `${prefix}${Topics.agreements}`,
        events.next(`agreement-${id}`, id, 'agreement.registered', {
          agreementId: id,
          ...agreementRegistration(a.ref, a.title),
        }),
      );
      agreements.push({ id, seed: a, milestoneIds: [] });
    }
    for (const a of agreements) {
      for (const m of a.seed.milestones ?? []) {
        const res = await eventually(async () => {
          const r = await svc
            .as('monitor')
            .post('/milestones')
            .send({ agreementId: a.id, type: m.type, title: m.title, dueDate: m.due });
          if (r.status !== 201) throw new Error(`planning answered ${r.status}`);
          return r;
        });
        a.milestoneIds.push(res.body.id);
      }
    }
    // Some movement on the first agreement: one in progress, one met with evidence, one cancelled.
    const [inProgress, met, cancelled] = agreements[0].milestoneIds;
    await svc
      .as('monitor')
      .post(`/milestones/${inProgress}/start`)
      .set('If-Match', '"1"')
      .send({})
      .expect(200);
    await svc
      .as('monitor')
      .post(`/milestones/${met}/met`)
      .set('If-Match', '"1"')
      .send({ metOn: '2026-02-27', evidence })
      .expect(200);
    await svc
      .as('monitor')
      .post(`/milestones/${cancelled}/cancel`)
      .set('If-Match', '"1"')
      .send({ reason: 'merged into another programme' })
      .expect(200);
  });
  afterAll(async () => {
    await producer?.disconnect();
    await svc?.close();
  });

  it('exports every seed agreement as a release package valid against the OCDS 1.1.5 schema subset', async () => {
    expect(agreements.length).toBeGreaterThanOrEqual(4);
    for (const a of agreements) {
      const pkg = await exportOf(a.id);
      expect({ ref: a.seed.ref, errors: validate(pkg) ? [] : validate.errors }).toEqual({
        ref: a.seed.ref,
        errors: [],
      });
      expect(pkg).toMatchObject({ version: '1.1', publisher: { name: 'Agreement tracker' } });
      expect(pkg.releases).toEqual([
        expect.objectContaining({
          ocid: `ocds-trkr00-${a.id}`,
          initiationType: 'tender',
          tag: ['contract', 'implementation'],
        }),
      ]);
      expect(
        milestonesOf(pkg)
          .map((m) => m['title'])
          .sort(),
      ).toEqual((a.seed.milestones ?? []).map((m) => m.title).sort());
    }
  });

  it('maps statuses to the OCDS codes, keeping in progress and cancelled in statusDetails', async () => {
    const [inProgress, met, cancelled, scheduled] = agreements[0].milestoneIds;
    const byId = new Map(milestonesOf(await exportOf(agreements[0].id)).map((m) => [m['id'], m]));
    expect(byId.get(inProgress)).toMatchObject({ status: 'scheduled', statusDetails: 'inProgress' });
    expect(byId.get(met)).toMatchObject({
      status: 'met',
      statusDetails: 'met',
      dateMet: '2026-02-27T00:00:00Z',
      percentComplete: 100,
      documents: [
        { id: `${met}-evidence-1`, title: 'Survey report', url: 'https://example.org/survey-report.pdf' },
      ],
    });
    expect(byId.get(cancelled)).toMatchObject({ status: 'notMet', statusDetails: 'cancelled' });
    expect(byId.get(scheduled)).toMatchObject({
      status: 'scheduled',
      statusDetails: 'scheduled',
      code: expect.any(String),
      type: expect.any(String),
    });
  });

  it('imports its own export as nothing to do, and exports the same package again', async () => {
    for (const a of agreements) {
      const before = await exportOf(a.id);
      const report = (await importing(before).expect(200)).body;
      expect(report).toEqual({ created: [], updated: [], refused: [], unchanged: expect.any(Array) });
      expect(report.unchanged).toHaveLength(a.milestoneIds.length);
      expect(content(await exportOf(a.id))).toEqual(content(before));
    }
  });

  it('creates, updates and refuses from a changed package, and a second import of it changes nothing more', async () => {
    // The Türkiye–China agreement: three seed milestones, untouched so far.
    const a = only(agreements, (x) => x.seed.ref === 'TR-CN-MINING');
    const pkg = await exportOf(a.id);
    const list = milestonesOf(pkg);
    const [rescheduled, started, toRefuse] = a.milestoneIds;
    const edit = (id: string, changes: object) =>
      Object.assign(
        only(list, (m) => m['id'] === id),
        changes,
      );
    edit(rescheduled, { dueDate: '2027-06-30T00:00:00Z' });
    edit(started, { statusDetails: 'inProgress' });
    list.push(
      {
        id: 'ext-survey-1',
        title: 'Airborne geophysical survey completed',
        code: 'geological_survey',
        dueDate: '2026-06-30T00:00:00Z',
        status: 'met',
        dateMet: '2026-02-20T00:00:00Z',
        documents: [{ id: 'd1', title: 'Survey report', url: 'https://example.org/airborne.pdf' }],
      },
      {
        id: 'ext-bad-code',
        title: 'Something else',
        code: 'not-a-type',
        dueDate: '2026-06-30T00:00:00Z',
        status: 'scheduled',
      },
      {
        id: 'ext-bad-status',
        title: 'Bad status',
        code: 'other',
        dueDate: '2026-06-30T00:00:00Z',
        status: 'done',
      },
      {
        id: 'ext-met-no-date',
        title: 'Met without a date',
        code: 'other',
        dueDate: '2026-06-30T00:00:00Z',
        status: 'met',
      },
      {
        id: 'ext-bad-date',
        title: 'No such day',
        code: 'other',
        dueDate: '2026-13-45T00:00:00Z',
        status: 'scheduled',
      },
    );
    // Met, then published as not met: the decider refuses, nothing of it is written.
    await svc
      .as('monitor')
      .post(`/milestones/${toRefuse}/met`)
      .set('If-Match', '"1"')
      .send({ metOn: '2026-02-27', evidence })
      .expect(200);
    edit(toRefuse, { status: 'notMet', statusDetails: 'notMet' });

    const first = (await importing(pkg).expect(200)).body;
    expect(first.created).toEqual([
      expect.objectContaining({ externalId: 'ext-survey-1', steps: ['plan', 'markMet'] }),
    ]);
    expect(first.updated).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ milestoneId: rescheduled, steps: ['reschedule'] }),
        expect.objectContaining({ milestoneId: started, steps: ['start'] }),
      ]),
    );
    expect(first.updated).toHaveLength(2);
    const reasons = Object.fromEntries(
      first.refused.map((r: { externalId: string; reason: string }) => [r.externalId, r.reason]),
    );
    expect(reasons).toEqual({
      'ext-bad-code': expect.stringMatching(/code must be one of/),
      'ext-bad-status': expect.stringMatching(/status should be equal to one of the allowed values/),
      'ext-met-no-date': expect.stringMatching(/dateMet is required/),
      'ext-bad-date': expect.stringMatching(/dueDate should match format "date-time"/),
      [toRefuse]: expect.stringMatching(/cannot mark as not met: the milestone is already met/),
    });

    const after = await exportOf(a.id);
    expect(validate(after) ? [] : validate.errors).toEqual([]);
    const created = milestonesOf(after).find((m) => m['id'] === first.created[0].milestoneId);
    expect(created).toMatchObject({
      title: 'Airborne geophysical survey completed',
      status: 'met',
      dateMet: '2026-02-20T00:00:00Z',
      documents: [expect.objectContaining({ url: 'https://example.org/airborne.pdf' })],
    });
    expect(milestonesOf(after).find((m) => m['id'] === rescheduled)).toMatchObject({
      dueDate: '2027-06-30T00:00:00Z',
    });
    expect(milestonesOf(after).find((m) => m['id'] === toRefuse)).toMatchObject({ status: 'met' });

    const second = (await importing(pkg).expect(200)).body;
    expect({ created: second.created, updated: second.updated }).toEqual({ created: [], updated: [] });
    expect(second.refused).toEqual(first.refused);
    expect(content(await exportOf(a.id))).toEqual(content(after));
  });

  it('refuses what is not a release package (400), a milestone of an unknown agreement, and callers other than monitors', async () => {
    const bad = await importing({
      uri: 'https://example.org/p',
      version: '1.1',
      publishedDate: '2026-03-01T09:00:00Z',
      publisher: { name: 'x' },
    }).expect(400);
    expect(bad.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'releases' })]));
    const release = {
      ocid: '',
      id: 'r1',
      date: '2026-03-01T09:00:00Z',
      tag: ['implementation'],
      initiationType: 'tender',
    };
    const noOcid = await importing({
      uri: 'https://example.org/p',
      version: '1.1',
      publishedDate: '2026-03-01T09:00:00Z',
      publisher: { name: 'x' },
      releases: [release],
    }).expect(400);
    expect(noOcid.body.errors).toEqual([expect.objectContaining({ field: 'releases[0].ocid' })]);

    const unknown = uuidv7();
    const report = (
      await importing({
        uri: 'https://example.org/p',
        version: '1.1',
        publishedDate: '2026-03-01T09:00:00Z',
        publisher: { name: 'x' },
        releases: [
          {
            ...release,
            ocid: `ocds-trkr00-${unknown}`,
            contracts: [
              {
                id: 'c',
                awardID: 'a',
                implementation: {
                  milestones: [
                    { id: 'm1', title: 'A survey', code: 'other', dueDate: '2026-06-30T00:00:00Z' },
                  ],
                },
              },
            ],
          },
        ],
      }).expect(200)
    ).body;
    expect(report.refused).toEqual([
      { ocid: `ocds-trkr00-${unknown}`, externalId: 'm1', reason: `agreement ${unknown} is unknown here` },
    ]);
    await svc.as('stakeholder').post('/ocds/imports').send({}).expect(403);
    await svc.as('auditor').get(`/ocds/agreements/${unknown}`).expect(404);
  });
});
