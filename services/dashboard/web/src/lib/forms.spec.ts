import {
  agreementActionRequest,
  emptyActionForm,
  emptyAlertStandForm,
  emptySilenceForm,
  enterStand,
  instantOf,
  noteRequest,
  silenceRequest,
  snoozeRequest,
  emptySubscriptionForm,
  emptyAgreementActionForm,
  evidenceOf,
  fieldErrorsOf,
  messagesFor,
  milestoneActionRequest,
  planMilestoneRequest,
  registerAgreementRequest,
  subscriptionRequest,
  unplacedMessages,
  type MilestoneActionForm,
  type RegisterAgreementForm,
  type SubscriptionForm,
} from './forms';

/** What goes over the wire: the body is sent as JSON, so a property set to undefined is not sent at all. */
const wire = (body: unknown) => JSON.parse(JSON.stringify(body)) as Record<string, unknown>;

describe('fieldErrorsOf', () => {
  it('groups the problem details field messages by field path', () => {
    const errors = fieldErrorsOf([
      { field: 'parties[0].country', message: 'country must be an ISO 3166-1 alpha-2 code such as TR or UZ' },
      { field: 'title', message: 'title must be longer than or equal to 3 characters' },
      { field: 'title', message: 'title must be a string' },
    ]);
    expect(errors).toEqual({
      'parties[0].country': ['country must be an ISO 3166-1 alpha-2 code such as TR or UZ'],
      title: ['title must be longer than or equal to 3 characters', 'title must be a string'],
    });
  });

  it('keeps a message given twice for a field once', () => {
    expect(
      fieldErrorsOf([
        { field: 'metOn', message: 'metOn must be a calendar date' },
        { field: 'metOn', message: 'metOn must be a calendar date' },
      ]),
    ).toEqual({
      metOn: ['metOn must be a calendar date'],
    });
  });

  it('files a message without a field under the empty key, so it is still shown', () => {
    expect(
      fieldErrorsOf([
        { message: 'the milestone is already due on 2026-12-31' },
        { field: '', message: 'refused' },
      ]),
    ).toEqual({
      '': ['the milestone is already due on 2026-12-31', 'refused'],
    });
  });

  it.each([
    ['no errors', undefined],
    ['an object instead of a list', { title: 'bad' }],
    [
      'entries that are not field errors',
      [null, 'title is bad', { field: 'title' }, { field: 'title', message: 42 }],
    ],
  ])('given %s, it finds no field messages', (_, errors) => {
    expect(fieldErrorsOf(errors)).toEqual({});
  });
});

describe('messagesFor and unplacedMessages', () => {
  const errors = {
    parties: ['parties must name at least one party'],
    'parties[0].country': ['country must be an ISO 3166-1 alpha-2 code such as TR or UZ'],
    'parties.1.name': ['name must be longer than or equal to 2 characters'],
    partiesNote: ['partiesNote is not a known field: remove it'],
    signedOn: ['signedOn must be YYYY-MM when datePrecision is "month"'],
    '': ['The request is invalid: see errors for each field.'],
  };

  it('gives a field its own messages and those of anything inside it', () => {
    expect(messagesFor(errors, 'parties')).toEqual([
      'parties must name at least one party',
      'country must be an ISO 3166-1 alpha-2 code such as TR or UZ',
      'name must be longer than or equal to 2 characters',
    ]);
  });

  it('does not give a field the messages of another field that merely starts with its name', () => {
    expect(messagesFor(errors, 'parties')).not.toContain('partiesNote is not a known field: remove it');
  });

  it('gives a field without messages none', () => {
    expect(messagesFor(errors, 'place')).toEqual([]);
  });

  it('lists the messages no field of the form shows, named by their field', () => {
    expect(unplacedMessages(errors, ['parties', 'signedOn'])).toEqual([
      'partiesNote: partiesNote is not a known field: remove it',
      'The request is invalid: see errors for each field.',
    ]);
  });

  it('lists nothing when every message has its field on the form', () => {
    expect(unplacedMessages({ title: ['title must be a string'] }, ['title'])).toEqual([]);
  });
});

describe('evidenceOf', () => {
  it('reads one link per line: the URL, then its title', () => {
    expect(
      evidenceOf(
        'https://example.org/reports/survey-2026.pdf  Survey completion report\n\n  https://example.org/photo.jpg  \n',
      ),
    ).toEqual([
      { url: 'https://example.org/reports/survey-2026.pdf', title: 'Survey completion report' },
      { url: 'https://example.org/photo.jpg' },
    ]);
  });

  it.each(['', '   \n  ', undefined])('given nothing (%p), it gives no links', (text) => {
    expect(evidenceOf(text)).toEqual([]);
  });
});

describe('registerAgreementRequest', () => {
  // The Türkiye–Uzbekistan mining MoU as the seed data has it.
  const form: RegisterAgreementForm = {
    reference: ' tr-uz-2026-mining ',
    title:
      '  Memorandum of Understanding on cooperation in the mining sector (critical minerals and rare earth elements) ',
    kind: 'mou',
    parties: [
      { country: 'tr', name: 'Republic of Türkiye' },
      { country: 'UZ', name: ' Republic of Uzbekistan ' },
      { country: ' ', name: '' }, // the empty row the form always offers
    ],
    signedOn: '2026-01-29',
    datePrecision: 'day',
    place: 'Ankara, Türkiye',
    context: '',
    commodities: ['copper', 'lithium', 'rare-earth-elements'],
    objectives: 'information sharing\n\nresearch and development\n',
    sources: [
      'Turkey and Uzbekistan Forge Deeper Mining Ties with Critical Minerals Agreement | https://example.org/tr-uz | news report | 2026-01-30',
      'Türkiye-Uzbekistan mining MoU: critical minerals as geopolitics (analysis) | | unknown news analysis | 2026-02',
    ].join('\n'),
  };

  it('sends the agreement with the reference in upper case, the parties given and the lists one entry per line', () => {
    expect(registerAgreementRequest(form)).toEqual({
      reference: 'TR-UZ-2026-MINING',
      title:
        'Memorandum of Understanding on cooperation in the mining sector (critical minerals and rare earth elements)',
      kind: 'mou',
      parties: [
        { country: 'TR', name: 'Republic of Türkiye' },
        { country: 'UZ', name: 'Republic of Uzbekistan' },
      ],
      datePrecision: 'day',
      signedOn: '2026-01-29',
      place: 'Ankara, Türkiye',
      commodities: ['copper', 'lithium', 'rare-earth-elements'],
      objectives: ['information sharing', 'research and development'],
      sources: [
        {
          title: 'Turkey and Uzbekistan Forge Deeper Mining Ties with Critical Minerals Agreement',
          url: 'https://example.org/tr-uz',
          publisher: 'news report',
          published: '2026-01-30',
        },
        {
          title: 'Türkiye-Uzbekistan mining MoU: critical minerals as geopolitics (analysis)',
          publisher: 'unknown news analysis',
          published: '2026-02',
        },
      ],
    });
  });

  it('leaves out the optional fields left empty, so the API applies its defaults', () => {
    const body = registerAgreementRequest({
      ...form,
      place: ' ',
      context: '',
      commodities: [],
      objectives: '\n',
      sources: '',
    });
    for (const field of ['place', 'context', 'commodities', 'objectives', 'sources'])
      expect(body).not.toHaveProperty(field);
  });

  it.each([
    ['a month', 'month', '2026-01', '2026-01'],
    ['a year', 'year', ' 2026 ', '2026'],
    ['an unknown precision, whatever was typed', 'unknown', '2026-01-29', null],
    ['a day, left empty', 'day', '', null],
  ] as const)('given %s, it sends signedOn %p', (_, datePrecision, signedOn, expected) => {
    const body = registerAgreementRequest({ ...form, datePrecision, signedOn });
    expect([body.datePrecision, body.signedOn]).toEqual([datePrecision, expected]);
  });

  it('sends a party without a country code by its name alone', () => {
    const body = registerAgreementRequest({
      ...form,
      parties: [{ country: '', name: 'European Commission' }],
    });
    expect(body.parties).toEqual([{ name: 'European Commission' }]);
  });

  it('sends an unchosen kind as it is, so the API names the field', () => {
    expect(registerAgreementRequest({ ...form, kind: '' }).kind).toBe('');
  });
});

describe('planMilestoneRequest', () => {
  const agreementId = '0b7c4f0e-9c1e-4b8e-8f57-3f1c2a6d9e41';

  it('sends the milestone, with the form’s occurredOn as the API’s occurredAt', () => {
    expect(
      planMilestoneRequest(agreementId, {
        type: 'geological_survey',
        title: ' Joint exploration and resource-mapping programme launched ',
        description: 'Survey of copper and tungsten deposits',
        responsibleParty: 'State Committee on Geology (UZ)',
        dueDate: '2026-12-31',
        occurredOn: '2026-02-10',
      }),
    ).toEqual({
      agreementId,
      type: 'geological_survey',
      title: 'Joint exploration and resource-mapping programme launched',
      dueDate: '2026-12-31',
      description: 'Survey of copper and tungsten deposits',
      responsibleParty: 'State Committee on Geology (UZ)',
      occurredAt: '2026-02-10',
    });
  });

  it('leaves out the optional fields left empty (no occurredAt: the API records today)', () => {
    const body = planMilestoneRequest(agreementId, {
      type: 'information_sharing',
      title: 'Shared geological data standard agreed',
      description: '  ',
      responsibleParty: '',
      dueDate: '2026-09-30',
      occurredOn: '',
    });
    expect(body).toEqual({
      agreementId,
      type: 'information_sharing',
      title: 'Shared geological data standard agreed',
      dueDate: '2026-09-30',
    });
    for (const field of ['description', 'responsibleParty', 'occurredAt'])
      expect(body).not.toHaveProperty(field);
  });
});

describe('milestoneActionRequest', () => {
  const form = (fields: Partial<MilestoneActionForm>): MilestoneActionForm => ({
    ...emptyActionForm,
    ...fields,
  });
  const report = 'https://example.org/reports/survey-2026.pdf Survey completion report';

  // Given the action and what the user filled in, then the body sent.
  it.each([
    ['start', { occurredOn: '2026-03-01' }, { occurredAt: '2026-03-01' }],
    ['start', {}, {}],
    [
      'progress',
      {
        percent: '40',
        note: 'Field work in two of three regions done',
        evidence: report,
        occurredOn: '2026-05-15',
      },
      {
        percent: 40,
        note: 'Field work in two of three regions done',
        evidence: [{ url: 'https://example.org/reports/survey-2026.pdf', title: 'Survey completion report' }],
        occurredAt: '2026-05-15',
      },
    ],
    ['progress', { percent: ' 0 ' }, { percent: 0, evidence: [] }],
    ['progress', { percent: '' }, { evidence: [] }],
    [
      'reschedule',
      { newDueDate: '2027-03-31', reason: ' Financing approval delayed ', occurredOn: '2026-11-20' },
      { newDueDate: '2027-03-31', reason: 'Financing approval delayed', occurredAt: '2026-11-20' },
    ],
    [
      'reschedule',
      { newDueDate: '2026-10-31', reason: 'Data ready early' },
      { newDueDate: '2026-10-31', reason: 'Data ready early' },
    ],
    [
      'met',
      { metOn: '2026-11-01', evidence: report, note: 'All regions mapped' },
      {
        metOn: '2026-11-01',
        evidence: [{ url: 'https://example.org/reports/survey-2026.pdf', title: 'Survey completion report' }],
        note: 'All regions mapped',
      },
    ],
    [
      'partially-met',
      { metOn: '2026-11-01', evidence: report, note: '' },
      {
        metOn: '2026-11-01',
        evidence: [{ url: 'https://example.org/reports/survey-2026.pdf', title: 'Survey completion report' }],
      },
    ],
    [
      'not-met',
      { reason: 'Deadline passed without the data exchange', occurredOn: '2027-01-05' },
      { reason: 'Deadline passed without the data exchange', occurredAt: '2027-01-05' },
    ],
    [
      'cancel',
      { reason: 'Superseded by a larger programme' },
      { reason: 'Superseded by a larger programme' },
    ],
  ] as const)('given %p with %j, it sends %j', (action, fields, expected) => {
    expect(wire(milestoneActionRequest(action, form(fields)))).toEqual(expected);
  });

  it.each(['forty', '40%'])(
    'passes a percent that is not a number (%p) through as typed, so the API reports it',
    (percent) => {
      expect(milestoneActionRequest('progress', form({ percent })).percent).toBe(percent);
    },
  );

  it('never sends occurredOn, the form’s own name for the business time', () => {
    for (const action of ['start', 'progress', 'reschedule', 'not-met', 'cancel'] as const) {
      expect(
        milestoneActionRequest(action, form({ occurredOn: '2026-06-01', percent: '10' })),
      ).not.toHaveProperty('occurredOn');
    }
  });
});

describe('subscriptionRequest', () => {
  const none: SubscriptionForm = emptySubscriptionForm;

  it('sends only the filters chosen: an empty list would mean "all" to the API', () => {
    expect(
      subscriptionRequest({
        ...none,
        name: 'Critical minerals: Türkiye and Uzbekistan',
        partyCountries: ['TR', 'UZ'],
        commodities: ['rare-earth-elements'],
        minSeverity: 'high',
      }),
    ).toEqual({
      name: 'Critical minerals: Türkiye and Uzbekistan',
      filters: { partyCountries: ['TR', 'UZ'], commodities: ['rare-earth-elements'], minSeverity: 'high' },
      channel: { type: 'inbox' },
    });
  });

  it('sends no filter and no name when none is given', () => {
    const body = subscriptionRequest({ ...none, name: '  ' });
    expect(body).toEqual({ filters: {}, channel: { type: 'inbox' } });
    expect(body).not.toHaveProperty('name');
  });

  it('sends the webhook URL and secret only for a webhook', () => {
    const hook = { ...none, url: ' https://hooks.example.org/tracker ', secret: 's3cret-s3cret-s3cret' };
    expect(subscriptionRequest({ ...hook, channel: 'webhook' }).channel).toEqual({
      type: 'webhook',
      url: 'https://hooks.example.org/tracker',
      secret: 's3cret-s3cret-s3cret',
    });
    expect(subscriptionRequest({ ...hook, channel: 'inbox' }).channel).toEqual({ type: 'inbox' });
  });

  it('copies the chosen lists, so editing the form afterwards does not change the request', () => {
    const f = { ...none, kinds: ['deadline.missed'] };
    const body = subscriptionRequest(f);
    f.kinds.push('milestone.slipped');
    expect(body.filters).toEqual({ kinds: ['deadline.missed'] });
  });
});

describe('agreementActionRequest', () => {
  const f = emptyAgreementActionForm;

  it.each([
    // [action, form, body sent]
    [
      'suspend',
      { reason: ' Parliamentary review of the MoU ', occurredOn: '2026-05-04' },
      { reason: 'Parliamentary review of the MoU', occurredAt: '2026-05-04' },
    ],
    ['suspend', { reason: 'Review' }, { reason: 'Review' }],
    ['resume', {}, {}],
    [
      'resume',
      { reason: 'Review concluded', occurredOn: '2026-07-01' },
      { reason: 'Review concluded', occurredAt: '2026-07-01' },
    ],
    [
      'terminate',
      { reason: 'Superseded by the 2027 framework' },
      { reason: 'Superseded by the 2027 framework' },
    ],
    ['expire', { occurredOn: '2031-01-29' }, { occurredAt: '2031-01-29' }],
    [
      'objectives',
      { objective: ' joint processing of rare earths ' },
      { objective: 'joint processing of rare earths' },
    ],
    [
      'sources',
      { title: 'Ministry statement', url: 'https://enerji.gov.tr/x', published: '2026-01-30' },
      { title: 'Ministry statement', url: 'https://enerji.gov.tr/x', published: '2026-01-30' },
    ],
    [
      'targets',
      {
        description: 'Financing for the pilot plant',
        amount: '300000000',
        currency: 'usd',
        byDate: '2028-12-31',
      },
      {
        description: 'Financing for the pilot plant',
        amount: 300000000,
        currency: 'USD',
        byDate: '2028-12-31',
      },
    ],
    // Not a number: sent as typed, so the API's message names the field.
    [
      'targets',
      { description: 'Plant capacity', amount: '570 000', unit: 't/yr' },
      { description: 'Plant capacity', amount: '570 000', unit: 't/yr' },
    ],
  ] as const)('%s: %j → %j', (action, form, body) => {
    expect(wire(agreementActionRequest(action, { ...f, ...form }))).toEqual(body);
  });
});

describe('instantOf', () => {
  it('reads a datetime-local value as the user’s wall clock and sends the instant', () => {
    expect(instantOf('2026-10-01T09:30')).toBe(new Date(2026, 9, 1, 9, 30).toISOString());
  });

  it.each([
    ['empty', '', undefined],
    ['blank', '  ', undefined],
    ['not a time: as typed, for the API’s message', 'next Tuesday', 'next Tuesday'],
  ])('%s', (_, value, expected) => {
    expect(instantOf(value)).toBe(expected);
  });
});

describe('the stands on an alert', () => {
  const until = '2026-10-01T09:30';
  it.each([
    ['ack without a note: an empty body', noteRequest(emptyAlertStandForm), {}],
    [
      'ack with a note, trimmed',
      noteRequest({ note: ' Raised with the ministry ', until: '' }),
      { note: 'Raised with the ministry' },
    ],
    [
      'snooze until a time, with a note',
      snoozeRequest({ note: 'after the board meeting', until }),
      { until: new Date(2026, 9, 1, 9, 30).toISOString(), note: 'after the board meeting' },
    ],
    ['snooze without a time: left out, the API names the field', snoozeRequest(emptyAlertStandForm), {}],
  ])('%s', (_, body, expected) => {
    expect(wire(body)).toEqual(expected);
  });
});

describe('enterStand: what Enter in the respond form does', () => {
  const all = ['ack', 'snooze', 'done'] as const;
  it.each([
    ['an open alert, nothing typed: acknowledge', all, emptyAlertStandForm, 'ack'],
    ['an open alert with a note: acknowledge with it', all, { note: 'Raised', until: '' }, 'ack'],
    ['an open alert with a time filled in: snooze', all, { note: '', until: '2026-10-01T09:30' }, 'snooze'],
    [
      'acknowledged (snooze and done offered): snooze, the API asks for the time',
      ['snooze', 'done'] as const,
      emptyAlertStandForm,
      'snooze',
    ],
    [
      'resolved (only done offered): nothing, done is chosen by its button',
      ['done'] as const,
      emptyAlertStandForm,
      null,
    ],
  ])('%s', (_, offered, form, expected) => {
    expect(enterStand(offered, form)).toBe(expected);
  });
});

describe('silenceRequest', () => {
  const of = {
    agreementId: '0b7c4f0e-9c1e-4b8e-8f57-3f1c2a6d9e41',
    subscriptionId: '6a2d9f10-7b3c-4e5d-9f60-1a2b3c4d5e6f',
  };
  const until = '2026-10-01T09:30';
  const at = new Date(2026, 9, 1, 9, 30).toISOString();
  it.each([
    [
      'the alert’s agreement',
      { scope: 'agreement' as const, until, comment: ' Under renegotiation ' },
      of,
      { agreementId: of.agreementId, until: at, comment: 'Under renegotiation' },
    ],
    [
      'the inbox’s subscription',
      { scope: 'subscription' as const, until, comment: 'Holidays' },
      of,
      { subscriptionId: of.subscriptionId, until: at, comment: 'Holidays' },
    ],
    [
      'the subscription asked where there is none: the agreement',
      { scope: 'subscription' as const, until, comment: 'Holidays' },
      { agreementId: of.agreementId },
      { agreementId: of.agreementId, until: at, comment: 'Holidays' },
    ],
    [
      'nothing filled in: the comment sent empty, for the API to ask for it',
      emptySilenceForm,
      of,
      { agreementId: of.agreementId, comment: '' },
    ],
  ])('%s', (_, form, target, expected) => {
    expect(wire(silenceRequest(form, target))).toEqual(expected);
  });
});
