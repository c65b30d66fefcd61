import { matchesSubscription, type AlertForMatching, type SubscriptionFilters } from './subscriptions';

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
