import { covers, endOf, isActive, silenceOf, silenceOfAll, type Silence } from './silence';

const base: Silence = {
  _id: 's-1',
  owner: 'ngo',
  subscriptionId: 'sub-1',
  until: '2026-12-10T00:00:00.000Z',
  comment: 'renegotiation',
  createdAt: '2026-12-01T00:00:00.000Z',
  createdBy: 'ngo',
};
const sub1 = { _id: 'sub-1', owner: 'ngo' };
const sub2 = { _id: 'sub-2', owner: 'ngo' };
const alert = { agreementId: 'ag-1' };
const at = (iso: string) => new Date(iso);

describe('silences', () => {
  describe('when a silence holds', () => {
    const table: Array<[string, Partial<Silence>, string, boolean]> = [
      ['from its creation', {}, '2026-12-01T00:00:00.000Z', true],
      ['not before it', {}, '2026-11-30T23:59:59.999Z', false],
      ['until just before `until`', {}, '2026-12-09T23:59:59.999Z', true],
      ['not at `until`', {}, '2026-12-10T00:00:00.000Z', false],
      ['not once expired early', { expiredAt: '2026-12-05T00:00:00.000Z' }, '2026-12-06T00:00:00.000Z', false],
      ['up to an early expiry', { expiredAt: '2026-12-05T00:00:00.000Z' }, '2026-12-04T00:00:00.000Z', true],
    ];
    it.each(table)('%s', (_name, change, time, active) => {
      expect(isActive({ ...base, ...change }, at(time))).toBe(active);
    });

    it('ends at until, or at an earlier expiry', () => {
      expect(endOf(base)).toBe(base.until);
      expect(endOf({ ...base, expiredAt: '2026-12-05T00:00:00.000Z' })).toBe('2026-12-05T00:00:00.000Z');
      expect(endOf({ ...base, expiredAt: '2026-12-11T00:00:00.000Z' })).toBe(base.until);
    });
  });

  describe('what a silence covers', () => {
    const table: Array<[string, Partial<Silence>, { _id: string; owner: string }, boolean]> = [
      ['its subscription', {}, sub1, true],
      ['not another subscription', {}, sub2, false],
      ['not the same subscription id of another owner', {}, { _id: 'sub-1', owner: 'other' }, false],
      ['its agreement in any subscription of its owner', { subscriptionId: undefined, agreementId: 'ag-1' }, sub2, true],
      ['not its agreement for another owner', { subscriptionId: undefined, agreementId: 'ag-1' }, { _id: 'sub-9', owner: 'other' }, false],
      ['not another agreement', { subscriptionId: undefined, agreementId: 'ag-2' }, sub1, false],
    ];
    it.each(table)('%s', (_name, change, subscription, covered) => {
      expect(covers({ ...base, ...change }, subscription, alert)).toBe(covered);
    });
  });

  it('finds the active covering silence that ends last, or none', () => {
    const longer = { ...base, _id: 's-2', until: '2026-12-20T00:00:00.000Z' };
    const ended = { ...base, _id: 's-3', until: '2026-12-30T00:00:00.000Z', expiredAt: '2026-12-02T00:00:00.000Z' };
    expect(silenceOf([base, longer, ended], sub1, alert, at('2026-12-03T00:00:00.000Z'))?._id).toBe('s-2');
    expect(silenceOf([base, ended], sub1, alert, at('2026-12-11T00:00:00.000Z'))).toBeNull();
    expect(silenceOf([base], sub2, alert, at('2026-12-03T00:00:00.000Z'))).toBeNull();
  });

  it('marks an alert held back from all matching subscriptions only: its agreement silenced, or each subscription', () => {
    const now = at('2026-12-03T00:00:00.000Z');
    const agreementWide = { ...base, _id: 's-a', subscriptionId: undefined, agreementId: 'ag-1' };
    const second = { ...base, _id: 's-2', subscriptionId: 'sub-2', until: '2026-12-05T00:00:00.000Z' };
    expect(silenceOfAll([base], [sub1, sub2], alert, now)).toBeNull(); // still delivered through sub-2
    expect(silenceOfAll([base, second], [sub1, sub2], alert, now)?._id).toBe('s-2'); // the first to end
    expect(silenceOfAll([agreementWide], [sub1, sub2], alert, now)?._id).toBe('s-a');
    expect(silenceOfAll([base], [sub1], alert, now)?._id).toBe('s-1');
    expect(silenceOfAll([agreementWide], [], alert, now)).toBeNull();
  });
});
