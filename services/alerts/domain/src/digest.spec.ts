import { buildDigest, digestInstant, isTimeZone, latestDigestAt, localDateOf, nextDigestAt, type DigestAlert, type DigestEntry } from './digest';

const mou = { id: 'a-1', reference: 'UZ-TR-01', title: 'Critical minerals MoU' };
const loan = { id: 'a-2', reference: 'KZ-EU-02', title: 'Lithium offtake' };

let n = 0;
const alert = (over: Partial<DigestAlert> = {}, acknowledgedByOwnerAt: string | null = null): DigestEntry<DigestAlert> => ({
  alert: { id: `al-${++n}`, severity: 'medium', status: 'open', raisedAt: '2026-12-01T06:00:00.000Z', resolvedAt: null, agreement: mou, ...over },
  acknowledgedByOwnerAt,
});

describe('buildDigest', () => {
  const since = '2026-12-01T05:00:00.000Z';
  const at = '2026-12-02T05:00:00.000Z';

  it('given open alerts of two agreements, groups them by agreement (most severe first) and severity', () => {
    const low = alert({ severity: 'low', raisedAt: '2026-11-20T06:00:00.000Z' });
    const high = alert({ severity: 'high', raisedAt: '2026-11-21T06:00:00.000Z' });
    const olderHigh = alert({ severity: 'high', raisedAt: '2026-11-19T06:00:00.000Z', status: 'acknowledged' });
    const critical = alert({ severity: 'critical', agreement: loan, raisedAt: '2026-11-25T06:00:00.000Z' });
    const digest = buildDigest([low, high, olderHigh, critical], since, at);
    expect(digest.open).toEqual({
      count: 4,
      agreements: [
        { agreement: loan, count: 1, severities: [{ severity: 'critical', alerts: [critical.alert] }] },
        {
          agreement: mou,
          count: 3,
          severities: [
            { severity: 'high', alerts: [olderHigh.alert, high.alert] },
            { severity: 'low', alerts: [low.alert] },
          ],
        },
      ],
    });
  });

  it('given agreements equally severe, the one with more alerts first, then by reference', () => {
    const [a, b, c] = [alert({ agreement: mou }), alert({ agreement: loan }), alert({ agreement: loan })];
    expect(buildDigest([a, b, c], since, at).open.agreements.map((g) => g.agreement.id)).toEqual(['a-2', 'a-1']);
    expect(buildDigest([a, b], since, at).open.agreements.map((g) => g.agreement.reference)).toEqual(['KZ-EU-02', 'UZ-TR-01']);
  });

  const changes: Array<[string, DigestEntry<DigestAlert>, 'raised' | 'resolved' | 'acknowledged' | 'none', boolean]> = [
    ['raised since the last digest', alert({ raisedAt: '2026-12-01T09:00:00.000Z' }), 'raised', true],
    ['raised before the last digest', alert({ raisedAt: '2026-11-30T09:00:00.000Z' }), 'none', true],
    ['raised exactly at the last digest (it was in that one)', alert({ raisedAt: since }), 'none', true],
    ['resolved since', alert({ raisedAt: '2026-11-30T09:00:00.000Z', status: 'resolved', resolvedAt: '2026-12-01T12:00:00.000Z' }), 'resolved', false],
    ['resolved before the last digest: neither open nor a change', alert({ raisedAt: '2026-11-30T09:00:00.000Z', status: 'resolved', resolvedAt: '2026-12-01T04:00:00.000Z' }), 'none', false],
    ['acknowledged by the owner since', alert({ raisedAt: '2026-11-30T09:00:00.000Z', status: 'acknowledged' }, '2026-12-01T10:00:00.000Z'), 'acknowledged', true],
    ['acknowledged by someone else only', alert({ raisedAt: '2026-11-30T09:00:00.000Z', status: 'acknowledged' }, null), 'none', true],
    ['raised after the digest time: the next digest has it', alert({ raisedAt: '2026-12-02T05:00:01.000Z' }), 'none', false],
    // Back-filled causes: what the tracker learned since the last digest is news, whatever day it is about.
    ['recorded since, about last month (a back-filled report)', { ...alert({ raisedAt: '2026-11-03T00:00:00.000Z' }), recordedAt: '2026-12-01T09:00:00.000Z' }, 'raised', true],
    ['recorded before the last digest', { ...alert({ raisedAt: '2026-11-03T00:00:00.000Z' }), recordedAt: '2026-11-30T09:00:00.000Z' }, 'none', true],
    ['recorded after the digest time, about an earlier day: the next digest has it', { ...alert({ raisedAt: '2026-11-30T00:00:00.000Z' }), recordedAt: '2026-12-02T05:00:01.000Z' }, 'none', false],
    [
      'resolution recorded since, dated before the last digest (a back-dated outcome)',
      { ...alert({ raisedAt: '2026-11-20T09:00:00.000Z', status: 'resolved', resolvedAt: '2026-11-25T00:00:00.000Z' }), recordedAt: '2026-11-20T09:00:00.000Z', resolvedRecordedAt: '2026-12-01T12:00:00.000Z' },
      'resolved',
      false,
    ],
  ];
  it.each(changes)('given an alert %s', (_name, entry, change, open) => {
    const digest = buildDigest([entry], since, at);
    expect(digest.changes).toEqual({
      raised: change === 'raised' ? [entry.alert] : [],
      resolved: change === 'resolved' ? [entry.alert] : [],
      acknowledged: change === 'acknowledged' ? [entry.alert] : [],
    });
    expect(digest.open.count).toBe(open ? 1 : 0);
  });

  it('given a digest made late, an alert resolved after its time still counts as open then', () => {
    const entry = alert({ status: 'resolved', resolvedAt: '2026-12-02T07:00:00.000Z' });
    expect(buildDigest([entry], since, at).open.count).toBe(1);
  });

  it('given a digest made late, an alert whose resolution was recorded after its time counts as open then', () => {
    const entry = { ...alert({ status: 'resolved', resolvedAt: '2026-12-01T07:00:00.000Z' }), resolvedRecordedAt: '2026-12-02T07:00:00.000Z' };
    expect(buildDigest([entry], since, at).open.count).toBe(1);
  });
});

describe('digest times', () => {
  const instants: Array<[string, string, number, string, string]> = [
    ['Istanbul (UTC+3, no DST)', '2026-12-02', 8, 'Europe/Istanbul', '2026-12-02T05:00:00.000Z'],
    ['Berlin in winter', '2026-12-02', 8, 'Europe/Berlin', '2026-12-02T07:00:00.000Z'],
    ['Berlin in summer', '2026-07-01', 8, 'Europe/Berlin', '2026-07-01T06:00:00.000Z'],
    ['Berlin, the hour the clocks skip (02:00 on 2027-03-28): when they jump', '2027-03-28', 2, 'Europe/Berlin', '2027-03-28T01:00:00.000Z'],
    ['Berlin, the hour that happens twice (02:00 on 2026-10-25): the first', '2026-10-25', 2, 'Europe/Berlin', '2026-10-25T00:00:00.000Z'],
    ['New York, the day clocks go forward, 08:00', '2027-03-14', 8, 'America/New_York', '2027-03-14T12:00:00.000Z'],
    ['Tokyo, midnight', '2026-12-02', 0, 'Asia/Tokyo', '2026-12-01T15:00:00.000Z'],
    ['Kathmandu (+05:45)', '2026-12-02', 8, 'Asia/Kathmandu', '2026-12-02T02:15:00.000Z'],
    ['Lord Howe, the half hour skipped (02:00 on 2026-10-04)', '2026-10-04', 2, 'Australia/Lord_Howe', '2026-10-03T15:30:00.000Z'],
  ];
  it.each(instants)('digestInstant: %s', (_name, date, hour, zone, expected) => {
    expect(digestInstant(date, hour, zone).toISOString()).toBe(expected);
  });

  const next: Array<[string, number, string, string, string]> = [
    ['before today’s hour: today', 8, 'Europe/Istanbul', '2026-12-02T04:59:59.000Z', '2026-12-02T05:00:00.000Z'],
    ['at the hour: tomorrow (strictly after)', 8, 'Europe/Istanbul', '2026-12-02T05:00:00.000Z', '2026-12-03T05:00:00.000Z'],
    ['across the night clocks go back: 24 h + 1', 8, 'Europe/Berlin', '2026-10-24T06:00:00.000Z', '2026-10-25T07:00:00.000Z'],
    ['across the night clocks go forward: 23 h', 8, 'Europe/Berlin', '2027-03-27T07:00:00.000Z', '2027-03-28T06:00:00.000Z'],
    ['late evening UTC is already tomorrow in Tokyo', 9, 'Asia/Tokyo', '2026-12-02T23:00:00.000Z', '2026-12-03T00:00:00.000Z'],
  ];
  it.each(next)('nextDigestAt: %s', (_name, hour, zone, after, expected) => {
    expect(nextDigestAt(hour, zone, new Date(after)).toISOString()).toBe(expected);
  });

  const latest: Array<[string, number, string, string, { at: string; localDate: string }]> = [
    ['after today’s hour: today’s', 8, 'Europe/Istanbul', '2026-12-02T06:00:00.000Z', { at: '2026-12-02T05:00:00.000Z', localDate: '2026-12-02' }],
    ['before it: yesterday’s', 8, 'Europe/Istanbul', '2026-12-02T04:00:00.000Z', { at: '2026-12-01T05:00:00.000Z', localDate: '2026-12-01' }],
    ['exactly at it: today’s', 8, 'Europe/Istanbul', '2026-12-02T05:00:00.000Z', { at: '2026-12-02T05:00:00.000Z', localDate: '2026-12-02' }],
    ['the local date, not the UTC one', 0, 'Asia/Tokyo', '2026-12-01T15:30:00.000Z', { at: '2026-12-01T15:00:00.000Z', localDate: '2026-12-02' }],
  ];
  it.each(latest)('latestDigestAt: %s', (_name, hour, zone, now, expected) => {
    const got = latestDigestAt(hour, zone, new Date(now));
    expect({ at: got.at.toISOString(), localDate: got.localDate }).toEqual(expected);
  });

  it.each([
    ['2026-12-01T21:30:00.000Z', 'Europe/Istanbul', '2026-12-02'],
    ['2026-12-01T20:59:59.000Z', 'Europe/Istanbul', '2026-12-01'],
    ['2026-12-02T03:00:00.000Z', 'America/Los_Angeles', '2026-12-01'],
  ])('localDateOf(%s, %s) is %s', (at, zone, date) => expect(localDateOf(new Date(at), zone)).toBe(date));

  it.each([
    ['Europe/Istanbul', true],
    ['UTC', true],
    ['Mars/Olympus_Mons', false],
    ['', false],
  ])('isTimeZone(%s) is %s', (zone, known) => expect(isTimeZone(zone)).toBe(known));
});
