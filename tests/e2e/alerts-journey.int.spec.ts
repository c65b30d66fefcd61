/**
 * The three services against the real Kafka and database, in one process so that one test clock drives them
 * all: the Türkiye–Uzbekistan MoU is registered, its geological survey planned, a stakeholder subscribes with a
 * webhook (a receiver inside this test), and time moves: approaching → slipped → missed → resolved, each message
 * signed. Then the receiver goes down while an alert is raised, comes back, and gets it exactly once.
 */
import { verified } from '../bench/lib/webhooks';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createKafka } from '@tracker/messaging';
import { TestClock, eventually, kafkaBrokers, startService, testConfig, uniqueName, type RunningService } from '@tracker/testing';
import { asyncApiErrors, asyncApiFindings, readChannelMessages } from '../support/asyncapi';
// The journey needs the services' own modules in this process (one TestClock for all three); nothing else in
// tests/ imports an application.
/* eslint-disable @nx/enforce-module-boundaries */
import { AgreementsApp } from '../../services/agreements/src/service';
import { AgreementsConfig } from '../../services/agreements/src/config';
import { MilestonesApp } from '../../services/milestones/src/service';
import { MilestonesConfig } from '../../services/milestones/src/config';
import { AlertsApp } from '../../services/alerts/src/service';
import { AlertsConfig } from '../../services/alerts/src/config';
import { DeadlineScheduler } from '../../services/alerts/src/alerts/deadline-scheduler';
import { DeliveriesService } from '../../services/alerts/src/deliveries/deliveries.service';
/* eslint-enable @nx/enforce-module-boundaries */

interface Message {
  headers: IncomingHttpHeaders;
  body: string;
  json: {
    deliveryId: string;
    event: { type: string };
    alert: { kind: string; status: string; milestoneId: string };
  };
}

const secret = 'journey-webhook-secret-0123';

describe('an agreement’s journey across the three services (e2e)', () => {
  const clock = new TestClock('2026-03-01T09:00:00Z');
  const prefix = `${uniqueName('e2e')}.`;
  let agreements: RunningService;
  let milestones: RunningService;
  let alerts: RunningService;
  let deliveries: DeliveriesService;
  let scheduler: DeadlineScheduler;
  let server: Server;
  let port = 0;
  const received: Message[] = [];
  let agreementId: string;
  let surveyId: string;
  let surveyVersion = 1;

  function listen(): Promise<void> {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        received.push({ headers: req.headers, body, json: JSON.parse(body) });
        res.statusCode = 204;
        res.end();
      });
    });
    return new Promise((resolve) =>
      server.listen(port, '127.0.0.1', () => {
        port = (server.address() as AddressInfo).port;
        resolve();
      }),
    );
  }

  /**
   * Runs the deadline scan and the webhook dispatcher (as their timers would) until the receiver holds a message
   * for which `match` holds. Both are idempotent: re-running them never raises or sends anything twice.
   */
  async function deliveredWhere(match: (m: Message) => boolean): Promise<Message> {
    return eventually(
      async () => {
        await scheduler.runOnce();
        await deliveries.runOnce();
        const found = received.find(match);
        if (!found)
          throw new Error(
            `not received yet; so far: ${received.map((m) => `${m.json.event.type}/${m.json.alert.kind}`).join(', ')}`,
          );
        return found;
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    );
  }
  const raised = (kind: string) => (m: Message) =>
    m.json.event.type === 'alert.raised' && m.json.alert.kind === kind;

  beforeAll(async () => {
    await listen();
    const common = { KAFKA_TOPIC_PREFIX: prefix };
    agreements = await startService(
      AgreementsApp.forRoot(testConfig(AgreementsConfig, common), { clock }),
    );
    milestones = await startService(
      MilestonesApp.forRoot(testConfig(MilestonesConfig, common), { clock }),
    );
    alerts = await startService(
      AlertsApp.forRoot(
        testConfig(AlertsConfig, {
          OUTBOUND_ALLOW: '127.0.0.1/32', // the receiver is in this test
          ...common,
          ALERT_SCAN_INTERVAL_MS: '0',
          DELIVERY_INTERVAL_MS: '0',
          ALERT_APPROACH_WINDOWS_DAYS: '30,7,1',
        }),
        { clock },
      ),
    );
    deliveries = alerts.app.get(DeliveriesService);
    scheduler = alerts.app.get(DeadlineScheduler);
  });

  afterAll(async () => {
    await Promise.all([agreements?.close(), milestones?.close(), alerts?.close()]);
    await new Promise((resolve) => server?.close(resolve));
  });

  it('registers the seed agreement, plans its geological survey and subscribes a stakeholder', async () => {
    const res = await agreements
      .as('monitor')
      .post('/agreements')
      .send({
        reference: 'TR-UZ-2026-MINING',
        title:
          'Memorandum of Understanding on cooperation in the mining sector (critical minerals and rare earth elements)',
        kind: 'mou',
        parties: [
          { country: 'TR', name: 'Republic of Türkiye' },
          { country: 'UZ', name: 'Republic of Uzbekistan' },
        ],
        signatories: [
          { name: 'Alparslan Bayraktar', title: 'Minister of Energy and Natural Resources', party: 'TR' },
          { name: 'Bobir Islamov', title: 'Minister of Mining Industry and Geology', party: 'UZ' },
        ],
        signedOn: '2026-01-29',
        datePrecision: 'day',
        place: 'Ankara, Türkiye',
        commodities: ['copper', 'tungsten', 'rare-earth-elements'],
      })
      .expect(201);
    agreementId = res.body.id;

    // The milestones service knows the agreement once its event has come through Kafka.
    const planned = await eventually(async () => {
      const r = await milestones
        .as('monitor')
        .post('/milestones')
        .send({
          agreementId,
          type: 'geological_survey',
          title: 'Joint geological survey of rare-earth deposits',
          dueDate: '2026-06-30',
        });
      if (r.status !== 201) throw new Error(`planning answered ${r.status}`);
      return r;
    });
    surveyId = planned.body.id;

    await alerts
      .as('stakeholder')
      .post('/subscriptions')
      .send({
        filters: { partyCountries: ['UZ'] },
        channel: { type: 'webhook', url: `http://127.0.0.1:${port}/tracker`, secret },
      })
      .expect(201);
  });

  it('sends a signed deadline.approaching when the due date comes within 30 days', async () => {
    clock.set('2026-06-01T09:00:00Z');
    const m = await deliveredWhere(raised('deadline.approaching'));
    expect(verified(secret, m.headers, m.body)).toBe(true);
    expect(m.json.alert).toMatchObject({ kind: 'deadline.approaching', milestoneId: surveyId });
  });

  it('sends milestone.slipped when the survey is rescheduled later', async () => {
    await milestones
      .as('monitor')
      .post(`/milestones/${surveyId}/reschedule`)
      .set('If-Match', `"${surveyVersion}"`)
      .send({ newDueDate: '2026-09-30', reason: 'Field season moved: survey permits pending' })
      .expect(200);
    surveyVersion++;
    const m = await deliveredWhere(raised('milestone.slipped'));
    expect(verified(secret, m.headers, m.body)).toBe(true);
  });

  it('sends deadline.missed once the new date has passed', async () => {
    clock.set('2026-10-01T09:00:00Z');
    const m = await deliveredWhere(raised('deadline.missed'));
    expect(verified(secret, m.headers, m.body)).toBe(true);
  });

  it('resolves the open alerts when the survey is met', async () => {
    await milestones
      .as('monitor')
      .post(`/milestones/${surveyId}/met`)
      .set('If-Match', `"${surveyVersion}"`)
      .send({
        metOn: '2026-10-01',
        evidence: [{ url: 'https://example.org/survey-report', title: 'Survey report' }],
      })
      .expect(200);
    surveyVersion++;
    await deliveredWhere(raised('milestone.resolved'));
    const resolved = await eventually(async () => {
      const res = await alerts
        .as('auditor')
        .get(`/alerts?milestoneId=${surveyId}&status=resolved`)
        .expect(200);
      const kinds = res.body.items.map((a: { kind: string }) => a.kind).sort();
      if (kinds.length < 4) throw new Error(`resolved so far: ${kinds.join(', ')}`);
      return kinds;
    });
    // The open alerts, and the resolved notice, which closes itself.
    expect(resolved).toEqual(['deadline.approaching', 'deadline.missed', 'milestone.resolved', 'milestone.slipped']);
    const stillOpen = await alerts
      .as('auditor')
      .get(`/alerts?milestoneId=${surveyId}&status=open`)
      .expect(200);
    expect(stillOpen.body.items.map((a: { kind: string }) => a.kind)).toEqual([]);
    for (const m of received) expect(verified(secret, m.headers, m.body)).toBe(true);
  });

  it('delivers an alert raised while the receiver was down exactly once after it comes back', async () => {
    await new Promise((resolve) => server.close(resolve));
    const planned = await milestones
      .as('monitor')
      .post('/milestones')
      .send({
        agreementId,
        type: 'processing_plant',
        title: 'Pilot rare-earth processing plant',
        dueDate: '2026-10-20',
      })
      .expect(201);
    const plantId = planned.body.id as string;
    // The alerts service learns the new deadline from Kafka and raises its 30-day window; the first attempt to
    // deliver it fails: nobody listens.
    const failed = await eventually(async () => {
      await scheduler.runOnce();
      await deliveries.runOnce();
      const alertIds = (
        await alerts.as('auditor').get(`/alerts?milestoneId=${plantId}`).expect(200)
      ).body.items.map((a: { id: string }) => a.id);
      const list = (await alerts.as('stakeholder').get('/deliveries?limit=100').expect(200)).body
        .items as Array<{
        id: string;
        alertId: string;
        attemptCount: number;
        nextAttemptAt: string;
        status: string;
      }>;
      const d = list.find((x) => alertIds.includes(x.alertId) && x.attemptCount > 0);
      if (!d) throw new Error('no failed attempt yet');
      return d;
    });
    expect(failed.status).toBe('pending');
    const before = received.length;

    await listen(); // the same port
    clock.set(failed.nextAttemptAt);
    const m = await deliveredWhere((x) => x.json.deliveryId === failed.id);
    expect(m.json.alert.milestoneId).toBe(plantId);
    expect(verified(secret, m.headers, m.body)).toBe(true);
    // Nothing is sent twice: further runs, even much later, find nothing due for it.
    clock.advance({ days: 3 });
    await deliveries.runOnce();
    await deliveries.runOnce();
    expect(received.filter((x) => x.json.deliveryId === failed.id)).toHaveLength(1);
    expect(received.length).toBeGreaterThan(before);
  });

  it('holds the agreement’s open alerts back while it is suspended and brings them back on resumption', async () => {
    const open = await eventually(async () => {
      const items = (await alerts.as('auditor').get(`/alerts?agreementId=${agreementId}&status=open`).expect(200)).body.items as Array<{ id: string }>;
      if (items.length === 0) throw new Error('no open alert yet');
      return items;
    });
    const change = async (action: 'suspend' | 'resume', body: object) => {
      const current = await agreements.as('monitor').get(`/agreements/${agreementId}`).expect(200);
      await agreements.as('monitor').post(`/agreements/${agreementId}/${action}`).set('If-Match', current.headers.etag).send(body).expect(200);
    };
    const inhibitedOf = async (id: string) => (await alerts.as('auditor').get(`/alerts/${id}`).expect(200)).body.inhibited;
    await change('suspend', { reason: 'Review of the mining licences' });
    await eventually(async () => {
      for (const a of open) if ((await inhibitedOf(a.id)) !== 'agreementSuspended') throw new Error(`alert ${a.id} not held back yet`);
      return true;
    });
    await change('resume', {});
    await eventually(async () => {
      for (const a of open) if ((await inhibitedOf(a.id)) !== undefined) throw new Error(`alert ${a.id} not back yet`);
      return true;
    });
    const back = (await alerts.as('auditor').get(`/alerts?agreementId=${agreementId}&status=open`).expect(200)).body.items.map((a: { id: string }) => a.id);
    expect(back).toEqual(expect.arrayContaining(open.map((a) => a.id)));
  });

  it('raises milestone.atRisk when the reported pace makes the forecast late; GET /forecasts/{id} shows the projection', async () => {
    const day = (offset: number) => new Date(clock.now().getTime() + offset * 86_400_000).toISOString().slice(0, 10);
    const planned = await milestones
      .as('monitor')
      .post('/milestones')
      .send({ agreementId, type: 'workforce_training', title: 'Geologists trained', dueDate: day(60), occurredAt: day(-30) })
      .expect(201);
    const trainingId = planned.body.id as string;
    let version = Number(String(planned.headers.etag).replace(/\D/g, ''));
    // 10 points in 20 days: 100 % some 160 days on, long after the due date.
    for (const [offset, percent] of [
      [-20, 0],
      [-10, 5],
      [0, 10],
    ] as const) {
      const r = await milestones.as('monitor').post(`/milestones/${trainingId}/progress`).set('If-Match', `"${version}"`).send({ percent, occurredAt: day(offset) }).expect(200);
      version = Number(String(r.headers.etag).replace(/\D/g, ''));
    }
    const atRisk = await eventually(async () => {
      const items = (await alerts.as('auditor').get(`/alerts?milestoneId=${trainingId}&kind=milestone.atRisk`).expect(200)).body.items;
      if (items.length !== 1) throw new Error('no milestone.atRisk yet');
      return items[0];
    });
    expect(atRisk).toMatchObject({ kind: 'milestone.atRisk', status: 'open', dueDate: day(60) });
    const forecast = (await alerts.as('stakeholder').get(`/forecasts/${trainingId}`).expect(200)).body;
    expect(forecast).toMatchObject({ milestoneId: trainingId, method: 'linear-velocity', atRisk: true, dueDate: day(60) });
    expect(forecast.projectedOn > day(60)).toBe(true);
  });

  it('published only messages that the services’ AsyncAPI documents describe (issue 21)', async () => {
    const documents = await Promise.all(
      [agreements, milestones, alerts].map(async (s) => (await s.http.get('/asyncapi.json').expect(200)).body as object),
    );
    for (const document of documents) expect(await asyncApiErrors(document)).toEqual([]);
    const kafka = createKafka({ brokers: kafkaBrokers(), clientId: 'e2e-asyncapi' });
    const messages = await readChannelMessages(kafka, documents[0], { groupPrefix: prefix });
    // The journey wrote on all three topics (registration, planning, alerts): the check below is not vacuous.
    expect([...new Set(messages.map((m) => m.topic))]).toEqual(
      expect.arrayContaining(['agreements.events', 'milestones.events', 'alerts.events'].map((t) => prefix + t)),
    );
    for (const document of documents) expect(asyncApiFindings(document, messages)).toEqual([]);
  });
});
