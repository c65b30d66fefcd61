import { groupDueAt, groupOf, takeBatch, type Grouping, type GroupState } from './grouping';

const g = (extra: Partial<Grouping> = {}): Grouping => ({ groupBy: ['agreement'], groupWaitSeconds: 30, groupIntervalSeconds: 300, ...extra });
const alert = { agreementId: 'a-1', kind: 'deadline.approaching', partyCountries: ['tr', 'CN', 'TR'] };
const at = (s: number) => new Date(Date.parse('2026-03-01T09:00:00Z') + s * 1000).toISOString();
const pending = (...seconds: number[]): GroupState['pending'] => seconds.map((s, i) => ({ id: `i${i}`, at: at(s) }));

describe('group key: given the groupBy fields, when an alert comes, then it is gathered under', () => {
  it.each<[string, Grouping['groupBy'], string, object]>([
    ['one group without fields', [], '*', {}],
    ['its agreement', ['agreement'], 'agreement=a-1', { agreement: 'a-1' }],
    ['its parties, sorted, once each', ['country'], 'country=CN,TR', { country: 'CN,TR' }],
    ['agreement and kind, in a fixed order whatever the order given', ['kind', 'agreement'], 'agreement=a-1|kind=deadline.approaching', { agreement: 'a-1', kind: 'deadline.approaching' }],
  ])('%s', (_, groupBy, key, by) => {
    expect(groupOf(g({ groupBy }), alert)).toEqual({ key, by });
  });
});

describe('group due time: given a group state, then its next batch is due', () => {
  it.each<[string, Grouping, GroupState, string | null]>([
    ['never, with nothing pending', g(), { pending: [], lastSentAt: null }, null],
    ['group wait after the first alert of a new group', g(), { pending: pending(5, 0, 20), lastSentAt: null }, at(30)],
    ['at once for a group wait of 0', g({ groupWaitSeconds: 0 }), { pending: pending(7), lastSentAt: null }, at(7)],
    ['one group interval after the last batch', g(), { pending: pending(100), lastSentAt: at(30) }, at(330)],
    ['after a fresh group wait when the group was quiet a whole interval', g(), { pending: pending(400), lastSentAt: at(30) }, at(430)],
  ])('%s', (_, grouping, state, due) => {
    expect(groupDueAt(grouping, state)?.toISOString() ?? null).toBe(due);
  });
});

describe('batch: given a group state, when the dispatcher looks at a time, then it sends', () => {
  it('nothing before the group is due', () => {
    expect(takeBatch(g(), { pending: pending(0, 1), lastSentAt: null }, new Date(at(29)), 100)).toBeNull();
  });

  it('every pending alert at once when due, oldest first, and remembers when', () => {
    const state = { pending: Array.from({ length: 40 }, (_, i) => ({ id: `a${String(39 - i).padStart(2, '0')}`, at: at(39 - i) })), lastSentAt: null };
    const taken = takeBatch(g(), state, new Date(at(30)), 100)!;
    expect(taken.batch).toHaveLength(40);
    expect(taken.batch[0]).toBe('a00');
    expect(taken.after).toEqual({ pending: [], lastSentAt: at(30) });
  });

  it('at most `max`, the rest at the next interval', () => {
    const taken = takeBatch(g(), { pending: pending(0, 1, 2), lastSentAt: null }, new Date(at(30)), 2)!;
    expect(taken.batch).toEqual(['i0', 'i1']);
    expect(groupDueAt(g(), taken.after)?.toISOString()).toBe(at(330));
  });

  it('a second burst within the interval waits for it', () => {
    const state = { pending: pending(60, 61), lastSentAt: at(30) };
    expect(takeBatch(g(), state, new Date(at(329)), 100)).toBeNull();
    expect(takeBatch(g(), state, new Date(at(330)), 100)?.batch).toEqual(['i0', 'i1']);
  });
});
