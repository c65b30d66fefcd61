import { matchesSubscription, unmatchableFilters, type AlertForMatching, type SubscriptionFilters } from './subscriptions';

const alert: AlertForMatching = { kind: 'deadline.approaching', severity: 'medium', agreementId: 'a-1', milestoneType: 'refinery' };
const agreement = { partyCountries: ['TR', 'UZ'], commodities: ['Rare earths', 'copper'] };

describe('matchesSubscription: given filters, an alert and its agreement', () => {
  const table: Array<[string, SubscriptionFilters, boolean]> = [
    ['no filters: everything', {}, true],
    ['empty lists do not filter', { agreementIds: [], kinds: [], partyCountries: [] }, true],
    ['the agreement', { agreementIds: ['a-2', 'a-1'] }, true],
    ['another agreement', { agreementIds: ['a-2'] }, false],
    ['a party country (any case)', { partyCountries: ['uz'] }, true],
    ['a country not a party', { partyCountries: ['US'] }, false],
    ['a commodity (any case)', { commodities: ['rare earths'] }, true],
    ['another commodity', { commodities: ['lithium'] }, false],
    ['the milestone type', { milestoneTypes: ['refinery'] }, true],
    ['another milestone type', { milestoneTypes: ['financing'] }, false],
    ['the kind', { kinds: ['deadline.approaching', 'deadline.missed'] }, true],
    ['another kind', { kinds: ['milestone.slipped'] }, false],
    ['minimum severity met', { minSeverity: 'medium' }, true],
    ['minimum severity above', { minSeverity: 'high' }, false],
    ['all filters together', { agreementIds: ['a-1'], partyCountries: ['TR'], commodities: ['copper'], milestoneTypes: ['refinery'], minSeverity: 'low' }, true],
    ['all but one', { agreementIds: ['a-1'], partyCountries: ['TR'], commodities: ['gold'], milestoneTypes: ['refinery'] }, false],
  ];
  it.each(table)('%s → %s', (_name, filters, expected) => {
    expect(matchesSubscription(filters, alert, agreement)).toBe(expected);
  });

  it('country and commodity filters do not match an agreement not known yet', () => {
    expect(matchesSubscription({ partyCountries: ['TR'] }, alert, null)).toBe(false);
    expect(matchesSubscription({ kinds: ['deadline.approaching'] }, alert, null)).toBe(true);
  });
});

describe('agreement-level alerts (agreement.stalled, no milestone) and the filters', () => {
  const stall: AlertForMatching = { kind: 'agreement.stalled', severity: 'medium', agreementId: 'a-1', milestoneType: null };
  const table: Array<[string, SubscriptionFilters, boolean]> = [
    ['the agreement', { agreementIds: ['a-1'] }, true],
    ['a party country', { partyCountries: ['TR'] }, true],
    ['a commodity', { commodities: ['copper'] }, true],
    ['the kind', { kinds: ['agreement.stalled'] }, true],
    ['minimum severity met', { minSeverity: 'medium' }, true],
    ['a milestone type: it has none', { milestoneTypes: ['geological_survey'] }, false],
  ];
  it.each(table)('%s → %s', (_name, filters, expected) => {
    expect(matchesSubscription(filters, stall, agreement)).toBe(expected);
  });

  const refused: Array<[string, SubscriptionFilters, string | null]> = [
    ['no filters', {}, null],
    ['milestone types alone (milestone alerts only, as asked)', { milestoneTypes: ['financing'] }, null],
    ['agreement.stalled alone', { kinds: ['agreement.stalled'] }, null],
    ['milestone kinds with milestone types', { kinds: ['deadline.missed'], milestoneTypes: ['financing'] }, null],
    ['agreement.stalled with milestone types: never matches', { kinds: ['agreement.stalled'], milestoneTypes: ['financing'] }, 'filters.milestoneTypes'],
    ['agreement.stalled among other kinds, with milestone types', { kinds: ['deadline.missed', 'agreement.stalled'], milestoneTypes: ['financing'] }, 'filters.milestoneTypes'],
  ];
  it.each(refused)('given %s, refused on: %s', (_name, filters, field) => {
    expect(unmatchableFilters(filters)?.field ?? null).toBe(field);
  });
});
