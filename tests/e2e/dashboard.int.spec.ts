/**
 * The dashboard in Debian's Chromium against the real stack (three services on real ports, Kafka, the database):
 * a monitor registers the Türkiye–Uzbekistan MoU through the UI (a mistake first: the API's message shows beside
 * the field), plans its geological survey and reschedules it twice (a concurrent change in between: the 409 is
 * offered as a reload); the timeline shows both slips; two back-dated progress reports give the survey a forecast
 * that misses its due date, shown at risk and drawn; a stakeholder subscribed beforehand sees the slip alert
 * arrive without reloading and acknowledges it; an auditor verifies every service and downloads an export. Every
 * page passes axe-core without serious or critical violations, and its screenshot goes to reports/dashboard/.
 */
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { milestoneStreamId } from '@tracker/contracts';
import { eventKey, type EventStore } from '@tracker/event-store';
import { EVENT_STORE } from '@tracker/service-runtime';
import { createKafka } from '@tracker/messaging';
import {
  eventually,
  kafkaBrokers,
  startService,
  testConfig,
  uniqueName,
  type RunningService,
} from '@tracker/testing';
import { asyncApiErrors, asyncApiFindings, readChannelMessages } from '../support/asyncapi';
/* eslint-disable @nx/enforce-module-boundaries */
import { AgreementsApp } from '../../services/agreements/src/service';
import { AgreementsConfig } from '../../services/agreements/src/config';
import { MilestonesApp } from '../../services/milestones/src/service';
import { MilestonesConfig } from '../../services/milestones/src/config';
import { AlertsApp } from '../../services/alerts/src/service';
import { AlertsConfig } from '../../services/alerts/src/config';
/* eslint-enable @nx/enforce-module-boundaries */
import {
  buildDashboard,
  launchBrowser,
  listenOn,
  screenshot,
  seriousAccessibilityViolations,
  signedIn,
  startDashboard,
  type RunningDashboard,
} from '../support/browser';

jest.setTimeout(180_000);

const addDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
const survey = 'Joint geological survey of rare-earth deposits';
const ackNote = 'Raised with the Ministry of Mining Industry and Geology';
/** A `datetime-local` value `days` from today at a wall-clock time (the browser's own zone applies). */
const localDateTime = (days: number, time: string) => `${addDays(days)}T${time}`;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** The date `days` from today as the dashboard writes it: `9 Jan 2026`. */
const shownDate = (days: number) => {
  const [y, m, d] = addDays(days).split('-').map(Number);
  return `${d} ${MONTHS[m - 1]} ${y}`;
};

describe('the dashboard in a real browser (e2e)', () => {
  const prefix = `${uniqueName('ui')}.`;
  let agreements: RunningService;
  let milestones: RunningService;
  let alerts: RunningService;
  let dashboard: RunningDashboard;
  let browser: Browser;
  let staticDir: string;
  let monitor: Page;
  let stakeholder: Page;
  let auditor: Page;
  let agreementId: string;
  const accessibility: Record<string, string[]> = {};

  /** axe on the page as it is, kept per page name; one assertion at the end names them all. */
  async function audit(page: Page, name: string) {
    accessibility[name] = await seriousAccessibilityViolations(page);
    await screenshot(page, name);
  }

  beforeAll(async () => {
    const built = buildDashboard();
    const common = { KAFKA_TOPIC_PREFIX: prefix };
    agreements = await startService(AgreementsApp.forRoot(testConfig(AgreementsConfig, common)));
    milestones = await startService(MilestonesApp.forRoot(testConfig(MilestonesConfig, common)));
    alerts = await startService(
      AlertsApp.forRoot(testConfig(AlertsConfig, { ...common, DELIVERY_INTERVAL_MS: '0' })),
    );
    const upstreams = {
      agreements: await listenOn(agreements.app),
      milestones: await listenOn(milestones.app),
      alerts: await listenOn(alerts.app),
    };
    staticDir = await built;
    dashboard = await startDashboard(upstreams, staticDir);
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await dashboard?.close();
    // Keep-alive sockets of the proxy would hold each server's close().
    for (const s of [agreements, milestones, alerts])
      (s?.app.getHttpServer() as Server | undefined)?.closeAllConnections();
    await Promise.all([agreements?.close(), milestones?.close(), alerts?.close()]);
    if (staticDir) await rm(staticDir, { recursive: true, force: true });
  });

  it('signs in with an API key and refuses an unknown one', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(dashboard.url);
    await audit(page, '01-sign-in');
    await page.getByLabel('API key').fill('not-a-key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expectText(page.getByRole('alert'), 'The services do not know this API key');
    await context.close();

    monitor = await signedIn(browser, dashboard.url, 'dev-monitor');
    await expectText(monitor.locator('.who'), 'dev-monitor');
    // The monitor may register; the audit is not theirs.
    await monitor.getByRole('link', { name: 'Register an agreement' }).waitFor();
    expect(await monitor.getByRole('link', { name: 'Audit' }).count()).toBe(0);
  });

  it('a monitor registers the Türkiye–Uzbekistan MoU, seeing the API’s message beside the field first', async () => {
    await monitor.getByRole('link', { name: 'Register an agreement' }).click();
    const form = monitor.getByRole('form', { name: 'Register an agreement' });
    await form.getByLabel('Reference').fill('TR-UZ-2026-MINING');
    await form.getByLabel('Title').fill('MO'); // too short: the API says so
    await form.getByLabel('Kind').selectOption('mou');
    await form.getByLabel('Party 1 country').selectOption('TR');
    await form.getByLabel('Party 1 name').fill('Republic of Türkiye');
    await form.getByLabel('Party 2 country').selectOption('UZ');
    await form.getByLabel('Party 2 name').fill('Republic of Uzbekistan');
    await form.getByLabel('Signed on').fill('2026-01-29');
    await form.getByLabel('Place').fill('Ankara, Türkiye');
    await form.getByLabel('Commodities').selectOption(['copper', 'tungsten', 'rare-earth-elements']);
    await form
      .getByLabel('Objectives')
      .fill('information sharing\nimplementation of concrete projects in critical minerals');
    await form.getByRole('button', { name: 'Register' }).click();

    const titleError = form.locator('[data-field="title"]');
    await expectText(titleError, 'title must be longer than or equal to 3 characters');
    await expectAttribute(form.getByLabel('Title'), 'aria-invalid', 'true');
    await audit(monitor, '02-register-with-errors');

    await form
      .getByLabel('Title')
      .fill(
        'Memorandum of Understanding on cooperation in the mining sector (critical minerals and rare earth elements)',
      );
    await form.getByRole('button', { name: 'Register' }).click();
    await monitor.waitForURL(/\/agreements\/[0-9a-f-]{36}$/);
    agreementId = monitor.url().split('/').pop()!;
    await monitor.getByRole('heading', { name: /TR-UZ-2026-MINING/ }).waitFor();
    await expectText(monitor.locator('.facts'), 'Republic of Uzbekistan (Uzbekistan, UZ)');
    await expectText(monitor.locator('.facts'), '29 Jan 2026');
    await expectText(monitor.locator('.facts'), 'rare earth elements');
  });

  it('a stakeholder subscribes to the agreement’s alerts and keeps the inbox open', async () => {
    // In Tashkent: the times the stakeholder types are Uzbekistan's (UTC+5), the dashboard shows UTC.
    stakeholder = await signedIn(browser, dashboard.url, 'dev-stakeholder', { timezoneId: 'Asia/Tashkent' });
    // What a stakeholder may not do is not offered.
    expect(await stakeholder.getByRole('link', { name: 'Register an agreement' }).count()).toBe(0);
    await stakeholder.getByRole('link', { name: 'Alerts' }).click();
    await stakeholder.getByText('You have no subscription yet').waitFor();
    const form = stakeholder.getByRole('form', { name: 'New subscription' });
    await form.getByLabel('Name').fill('Türkiye–Uzbekistan minerals');
    await eventually(
      async () => {
        // The agreements list feeds the picker; reload it until the new agreement is listed.
        const options = await form.getByLabel('Agreements').locator('option').allTextContents();
        if (!options.includes('TR-UZ-2026-MINING')) {
          await stakeholder.reload();
          throw new Error(`not listed yet: ${options.join(', ')}`);
        }
        return true;
      },
      { intervalMs: 1_000 },
    );
    await form.getByLabel('Agreements').selectOption({ label: 'TR-UZ-2026-MINING' });
    await form.getByLabel('Alert kinds').selectOption(['milestone.slipped', 'deadline.missed']);
    await form.getByRole('button', { name: 'Subscribe' }).click();
    await expectText(stakeholder.locator('.subs'), 'Türkiye–Uzbekistan minerals');
    await expectText(stakeholder.getByTestId('live-status'), 'live');
  });

  it('plans the geological survey and reschedules it twice; a concurrent change is offered as a reload', async () => {
    // The milestones service learns of the agreement through Kafka.
    await eventually(async () => {
      const r = await milestones.as('monitor').get(`/agreements/${agreementId}/timeline`);
      if (r.status !== 200) throw new Error(`timeline answered ${r.status}`);
      return true;
    });
    await monitor.reload();
    await monitor.getByRole('button', { name: 'Plan a milestone' }).click();
    const plan = monitor.getByRole('form', { name: 'Plan a milestone' });
    await plan.getByLabel('Type').selectOption('geological_survey');
    await plan.getByLabel('Title').fill(survey);
    await plan.getByLabel('Due date').fill(addDays(60));
    await plan.getByRole('button', { name: 'Plan' }).click();
    const item = monitor.locator(`li.milestone[data-milestone="${survey}"]`);
    await item.waitFor();

    await reschedule(item, addDays(150), 'Drilling permits delayed by the licensing authority');
    await expectText(item, 'Slipped 1 time');

    // Someone else reports progress while this monitor has the form open: their save must not overwrite it.
    await item.getByRole('group').getByRole('button', { name: 'Reschedule' }).click();
    const form = item.getByRole('form', { name: `Reschedule: ${survey}` });
    const { body } = await milestones.as('monitor').get(`/milestones?agreementId=${agreementId}`).expect(200);
    const current = body.items[0];
    await milestones
      .as('monitor')
      .post(`/milestones/${current.id}/progress`)
      .set('If-Match', `"${current.version}"`)
      .send({ percent: 20, evidence: [] })
      .expect(200);
    await form.getByLabel('New due date').fill(addDays(240));
    await form.getByLabel('Reason').fill('Funding round postponed');
    await form.getByRole('button', { name: 'Reschedule' }).click();
    await expectText(form.getByRole('alert'), 'Someone else changed this in the meantime');
    await form.getByRole('button', { name: 'Reload the latest version' }).click();
    await expectText(item, '20% done');
    await form.getByRole('button', { name: 'Reschedule' }).click();
    await expectText(item, 'Slipped 2 times');
  });

  it('the timeline shows both slips with their days and reasons', async () => {
    const timeline = monitor.getByTestId('timeline');
    await eventually(async () => {
      const label = (await timeline.getAttribute('aria-label')) ?? '';
      if (
        !label.includes(
          'slipped 2 times (90 days: Drilling permits delayed by the licensing authority; 90 days: Funding round postponed)',
        )
      )
        throw new Error(`timeline says: ${label}`);
      return true;
    });
    // Hovering a slip tells its days and reason (ECharts' tooltip).
    const tooltip = await eventually(async () => {
      for (const bar of await timeline.locator('svg path[fill="#c45a00"]').all()) {
        await bar.hover();
        const text = await timeline.innerText();
        if (text.includes('Slipped +90 days')) return text;
      }
      throw new Error('no slip tooltip on hover');
    });
    expect(tooltip).toMatch(
      /Reason: (Drilling permits delayed by the licensing authority|Funding round postponed)/,
    );
    await audit(monitor, '03-agreement');
    await screenshot(monitor, 'agreement-timeline');
  });

  it('the survey’s forecast: too few reports at first; two back-dated reports give a pace that misses the due date', async () => {
    const item = monitor.locator(`li.milestone[data-milestone="${survey}"]`);
    const forecast = item.getByTestId('forecast');
    // One report (20 % today): no pace yet, said plainly rather than as an error.
    await expectText(forecast, 'Not enough progress reports to forecast');
    await reportProgress(item, 8, addDays(-60));
    await reportProgress(item, 15, addDays(-30));
    // Back-dated reports go into the history (the forecast below fits them); the milestone still says today's,
    // the latest by date.
    await expectText(item, '20% done');
    // 8, 15 and 20 % over 60 days: 0.2 points a day, 80 points to go from today, 400 days; due in 240.
    await expectText(forecast, `projected ${shownDate(400)}`);
    await expectText(forecast, 'pace 0.2 percent points a day');
    await expectText(forecast.locator('.badge'), 'at risk: 160 days late');
    const chart = item.getByTestId(/^forecast-/);
    await eventually(async () => {
      const label = (await chart.getAttribute('aria-label')) ?? '';
      const said = `reaches 100% on ${shownDate(400)} (between ${shownDate(365)} and ${shownDate(443)}), 160 days after the due date ${shownDate(240)}: at risk`;
      if (!label.includes(said)) throw new Error(`forecast chart says: ${label}`);
      return true;
    });
    await audit(monitor, '03b-agreement-forecast');
  });

  it('a monitor suspends the agreement and resumes it; the timeline shades the period', async () => {
    const today = addDays(0);
    await monitor
      .getByRole('group', { name: 'Act on the agreement' })
      .getByRole('button', { name: 'Suspend' })
      .click();
    const suspend = monitor.getByRole('form', { name: 'Suspend' });
    await suspend.getByLabel('Reason').fill('Parliamentary review of the memorandum');
    await suspend.getByRole('button', { name: 'Suspend' }).click();
    await expectText(monitor.locator('.page-head .status'), 'suspended');
    // A suspended agreement's milestones are not changed from its page.
    expect(await monitor.getByRole('group', { name: `Act on ${survey}` }).count()).toBe(0);
    await monitor
      .getByRole('group', { name: 'Act on the agreement' })
      .getByRole('button', { name: 'Resume' })
      .click();
    const resume = monitor.getByRole('form', { name: 'Resume' });
    await resume.getByLabel('Reason').fill('Review concluded');
    await resume.getByRole('button', { name: 'Resume' }).click();
    await monitor.getByRole('group', { name: `Act on ${survey}` }).waitFor();
    await eventually(async () => {
      const label = (await monitor.getByTestId('timeline').getAttribute('aria-label')) ?? '';
      if (!label.includes(`Suspended from ${today} to ${today}.`)) throw new Error(`timeline says: ${label}`);
      return true;
    });
  });

  it('the stakeholder sees the slip alerts arrive without reloading, and acknowledges one', async () => {
    const slips = slipAlerts();
    await eventually(async () => {
      const n = await slips.count();
      if (n < 2) throw new Error(`${n} slip alerts shown`);
      return true;
    });
    // Each item names the agreement and milestone and says the alert in words (the service's reason).
    await expectText(slips.first(), survey);
    await expectText(slips.first(), 'TR-UZ-2026-MINING');
    await expectText(slips.first(), 'slipped by 90 days');
    await expectText(stakeholder.locator('.alerts'), 'Funding round postponed');
    await audit(stakeholder, '04-alerts');
    const latest = slipAlert('Funding round postponed');
    await latest.getByLabel('Note (optional)').fill(ackNote);
    // Enter in the respond form acknowledges (the open alert's first stand).
    await latest.getByLabel('Note (optional)').press('Enter');
    await expectAttribute(latest, 'data-alert-status', 'acknowledged');
    await expectText(latest, 'Acknowledged by you');
    await expectText(latest, `Your note: ${ackNote}`);
    // Acknowledged once: no second Acknowledge offered, still snooze and done.
    expect(await latest.getByRole('button', { name: 'Acknowledge' }).count()).toBe(0);
  });

  it('the stakeholder silences the agreement from an alert (the comment asked for first), then expires the silence', async () => {
    const earlier = slipAlert('Drilling permits delayed');
    await earlier.getByRole('button', { name: 'Silence…' }).click();
    const form = earlier.getByRole('form', { name: `Silence: milestone slipped: ${survey}` });
    await form
      .getByLabel('What to silence')
      .selectOption({ label: 'alerts of TR-UZ-2026-MINING in all my subscriptions' });
    await form.getByLabel('Silence until').fill(localDateTime(14, '18:00'));
    await form.getByRole('button', { name: 'Silence', exact: true }).click();
    await expectText(
      form.locator('[data-field="comment"]'),
      'comment must be a text of 1 to 1000 characters',
    );
    await expectAttribute(form.getByLabel('Comment'), 'aria-invalid', 'true');
    await form.getByLabel('Comment').fill('Under parliamentary review; followed in the joint working group');
    await form.getByRole('button', { name: 'Silence', exact: true }).click();
    await form.waitFor({ state: 'detached' });

    const silences = stakeholder.getByRole('list', { name: 'Active silences' });
    // 18:00 in Tashkent is 13:00 UTC.
    await expectText(
      silences,
      `TR-UZ-2026-MINING in all your subscriptions until ${shownDate(14)} 13:00 UTC`,
    );
    await expectText(silences, 'Under parliamentary review');
    // Both alerts of the agreement are held back from delivery, and say so.
    for (const item of [slipAlert('Drilling permits delayed'), slipAlert('Funding round postponed')])
      await expectText(item, `Silenced until ${shownDate(14)} 13:00 UTC: Under parliamentary review`);
    await audit(stakeholder, '05-alerts-silenced');

    await silences.getByRole('button', { name: 'Expire now' }).click();
    await stakeholder.getByText('No silence holds now').waitFor();
    await stakeholder.locator('li.alert .silenced').first().waitFor({ state: 'detached' });
  });

  it('the stakeholder snoozes one alert and marks the other done; each shows under its own view', async () => {
    const latest = slipAlert('Funding round postponed');
    await latest.getByLabel('Snooze until').fill(localDateTime(3, '14:00'));
    await latest.getByLabel('Note (optional)').fill('After the parliamentary review');
    await latest.getByRole('button', { name: 'Snooze' }).click();
    // Snoozed: out of the inbox's default view, and the dashboard says where it went.
    await expectText(stakeholder.locator('.notice'), 'Choose “snoozed” under Show');
    await latest.waitFor({ state: 'detached' });

    const earlier = slipAlert('Drilling permits delayed');
    await earlier.getByLabel('Note (optional)').fill('Permits granted on appeal');
    await earlier.getByRole('button', { name: 'Mark done' }).click();
    await earlier.waitFor({ state: 'detached' });
    await stakeholder.getByText('No alert for this subscription yet').waitFor();

    await showInbox('snoozed');
    // 14:00 in Tashkent is 09:00 UTC.
    await expectText(latest, `Snoozed until ${shownDate(3)} 09:00 UTC`);
    await expectAttribute(latest, 'data-mine', 'snoozed');
    await expectText(latest, 'Your note: After the parliamentary review');
    await showInbox('done');
    await expectAttribute(earlier, 'data-mine', 'done');
    await expectText(earlier, 'Your note: Permits granted on appeal');
    // Done: nothing more to do on it.
    expect(await earlier.getByRole('button', { name: /Acknowledge|Snooze|Mark done/ }).count()).toBe(0);
    await showInbox('everything');
    await eventually(async () => {
      const n = await slipAlerts().count();
      if (n !== 2) throw new Error(`${n} slip alerts shown`);
      return true;
    });
    await audit(stakeholder, '06-alerts-snoozed-and-done');
  });

  it('an auditor reads the alerts with every acknowledgement and its note, and cannot act on them', async () => {
    auditor = await signedIn(browser, dashboard.url, 'dev-auditor');
    await auditor.getByRole('link', { name: 'Alerts' }).click();
    await auditor
      .getByRole('form', { name: 'Filter alerts' })
      .getByLabel('Status')
      .selectOption({ label: 'acknowledged' });
    const acknowledged = auditor
      .locator('li.alert[data-alert-kind="milestone.slipped"]')
      .filter({ hasText: 'Funding round postponed' });
    await expectText(acknowledged.getByRole('list', { name: /^Acknowledgements of/ }), ackNote);
    expect(await auditor.getByRole('button', { name: /Acknowledge|Snooze|Mark done|Silence/ }).count()).toBe(
      0,
    );
    await audit(auditor, '07-alerts-read-only');
  });

  it('an auditor verifies every service, downloads an export, and sees an altered event named', async () => {
    await auditor.getByRole('link', { name: 'Audit' }).click();
    for (const service of ['agreements', 'milestones', 'alerts']) {
      const card = auditor.getByTestId(`verify-${service}`);
      await card.getByRole('button', { name: 'Verify' }).click();
      await expectAttribute(card.locator('[data-ok]'), 'data-ok', 'true');
      await expectText(card, 'Verified: every link holds');
    }
    await auditor
      .getByLabel('Agreement', { exact: true })
      .first()
      .selectOption({ label: 'TR-UZ-2026-MINING' });
    const [download] = await Promise.all([
      auditor.waitForEvent('download'),
      auditor.getByRole('button', { name: 'Download milestones export' }).click(),
    ]);
    const events = readFileSync((await download.path())!, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; data: { reason?: string } });
    expect(events.filter((e) => e.type === 'milestone.rescheduled').map((e) => e.data.reason)).toEqual([
      'Drilling permits delayed by the licensing authority',
      'Funding round postponed',
    ]);
    // The merged history of the agreement, the auditor's own view.
    await auditor
      .getByRole('table', { name: 'History' })
      .getByText('milestone.rescheduled')
      .first()
      .waitFor();
    await audit(auditor, '08-audit');

    // An event altered in the database behind the service's back: the next verification names it.
    const store = milestones.app.get<EventStore>(EVENT_STORE);
    const surveyStream = (
      await milestones.as('auditor').get(`/milestones?agreementId=${agreementId}`).expect(200)
    ).body.items[0].id as string;
    const [planned] = await store.readStream(milestoneStreamId(surveyStream));
    await store.collection.updateOne(
      { _id: eventKey(planned.streamId, planned.streamVersion) },
      { $set: { 'data.title': 'A survey nobody planned' } },
    );
    const card = auditor.getByTestId('verify-milestones');
    await card.getByRole('button', { name: 'Verify again' }).click();
    await expectAttribute(card.locator('[data-ok]'), 'data-ok', 'false');
    await expectText(card, `${milestoneStreamId(surveyStream)} at version 1`);
    await expectText(card, 'hash mismatch');

    await auditor.getByRole('link', { name: 'Portfolio' }).click();
    await auditor.getByRole('link', { name: 'TR-UZ-2026-MINING' }).waitFor();
    await audit(auditor, '09-portfolio');
    const [csv] = await Promise.all([
      auditor.waitForEvent('download'),
      auditor.getByRole('button', { name: 'Download CSV' }).click(),
    ]);
    const lines = readFileSync((await csv.path())!, 'utf8').split('\r\n');
    expect(lines[0]).toMatch(/^\uFEFFreference,title,kind,parties,signed on/);
    const row = lines.find((l) => l.startsWith('TR-UZ-2026-MINING,'));
    expect(row).toContain('Türkiye (TR); Uzbekistan (UZ),2026-01-29,day');
    // One milestone, not met yet, slipped: met 0 of 1, one slipped milestone.
    expect(row).toMatch(/,0,1,1,/);
  });

  it('no page has a serious or critical accessibility violation', () => {
    // Every page and state audited above: one missing names the step that did not get there.
    expect(Object.keys(accessibility).sort()).toEqual([
      '01-sign-in',
      '02-register-with-errors',
      '03-agreement',
      '03b-agreement-forecast',
      '04-alerts',
      '05-alerts-silenced',
      '06-alerts-snoozed-and-done',
      '07-alerts-read-only',
      '08-audit',
      '09-portfolio',
    ]);
    expect(Object.fromEntries(Object.entries(accessibility).filter(([, v]) => v.length > 0))).toEqual({});
  });

  it('published only messages that the services’ AsyncAPI documents describe (issue 21)', async () => {
    const documents = await Promise.all(
      [agreements, milestones, alerts].map(
        async (s) => (await s.http.get('/asyncapi.json').expect(200)).body as object,
      ),
    );
    for (const document of documents) expect(await asyncApiErrors(document)).toEqual([]);
    const messages = await readChannelMessages(
      createKafka({ brokers: kafkaBrokers(), clientId: 'ui-asyncapi' }),
      documents[0],
      { groupPrefix: prefix },
    );
    expect(messages.length).toBeGreaterThan(0);
    for (const document of documents) expect(asyncApiFindings(document, messages)).toEqual([]);
  });

  /** The stakeholder's slip alerts, and the one whose text names `text`. */
  const slipAlerts = () => stakeholder.locator('li.alert[data-alert-kind="milestone.slipped"]');
  const slipAlert = (text: string) => slipAlerts().filter({ hasText: text });

  /** Which of its alerts the stakeholder's inbox shows, by the stand taken on them. */
  async function showInbox(label: string) {
    await stakeholder
      .getByRole('form', { name: 'Filter the inbox' })
      .getByLabel('Show')
      .selectOption({ label });
  }

  /** Reports progress through the milestone's form, dated `on` (business time). */
  async function reportProgress(item: ReturnType<Page['locator']>, percent: number, on: string) {
    await item.getByRole('group').getByRole('button', { name: 'Report progress' }).click();
    const form = item.getByRole('form', { name: `Report progress: ${survey}` });
    await form.getByLabel('Percent done').fill(String(percent));
    await form.getByLabel('Happened on (leave empty for today)').fill(on);
    await form.getByRole('button', { name: 'Report progress' }).click();
    await form.waitFor({ state: 'detached' });
  }

  async function reschedule(item: ReturnType<Page['locator']>, newDueDate: string, reason: string) {
    await item.getByRole('group').getByRole('button', { name: 'Reschedule' }).click();
    const form = item.getByRole('form', { name: `Reschedule: ${survey}` });
    await form.getByLabel('New due date').fill(newDueDate);
    await form.getByLabel('Reason').fill(reason);
    await form.getByRole('button', { name: 'Reschedule' }).click();
    await form.waitFor({ state: 'detached' });
  }
});

/** Waits (Playwright's own polling) until the element's text contains `text`. */
async function expectText(locator: ReturnType<Page['locator']>, text: string): Promise<void> {
  await locator.filter({ hasText: text }).first().waitFor({ timeout: 30_000 });
}

async function expectAttribute(
  locator: ReturnType<Page['locator']>,
  name: string,
  value: string,
): Promise<void> {
  await eventually(async () => {
    const actual = await locator.first().getAttribute(name);
    if (actual !== value) throw new Error(`${name} is ${actual}, expected ${value}`);
    return true;
  });
}
