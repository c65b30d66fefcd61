import { agreementSourcing, sourcingOf, type EvidenceKind } from './evidence';

describe('sourcingOf: how well a claim is sourced (count, kinds, an official source, media only)', () => {
  const links = (...kinds: Array<EvidenceKind | undefined>) => kinds.map((kind) => (kind ? { kind } : {}));
  it.each([
    ['no source', links(), { count: 0, official: false, mediaOnly: false }],
    ['one official source', links('official'), { count: 1, official: true, mediaOnly: false }],
    ['media reports only', links('media', 'media'), { count: 2, official: false, mediaOnly: true }],
    ['media and an official source', links('media', 'official'), { count: 2, official: true, mediaOnly: false }],
    ['a company and an international organisation', links('company', 'international-organisation'), { count: 2, official: false, mediaOnly: false }],
    ['kind not said counts as other', links(undefined, 'media'), { count: 2, official: false, mediaOnly: false }],
  ] as const)('%s', (_name, given, expected) => {
    expect(sourcingOf(given)).toMatchObject(expected);
  });

  it('counts by kind', () => {
    expect(sourcingOf(links('media', undefined, 'official', 'media')).byKind).toEqual({ official: 1, company: 0, 'international-organisation': 0, media: 2, other: 1 });
  });
});

describe('agreementSourcing: an evidence-quality table over an agreement’s milestones', () => {
  const m = (milestoneId: string, status: 'scheduled' | 'inProgress' | 'met' | 'partiallyMet' | 'notMet', claimKinds: EvidenceKind[]) => ({ milestoneId, status, contribution: { claimKinds } });
  it('counts the status claims, those backed officially, and marks those on media only or on nothing', () => {
    const sourcing = agreementSourcing(
      [{ kind: 'media' }, { kind: 'official' }],
      [m('met-official', 'met', ['media', 'official']), m('met-media', 'met', ['media']), m('progress-none', 'inProgress', []), m('partly-company', 'partiallyMet', ['company']), m('planned', 'scheduled', []), m('failed', 'notMet', [])],
    );
    expect(sourcing).toMatchObject({
      count: 2,
      official: true,
      mediaOnly: false,
      claims: 4,
      officiallyBacked: 1,
      everyClaimOfficial: false,
      mediaOnlyMilestones: ['met-media'],
      unsourcedMilestones: ['progress-none'],
    });
  });
  it('no claim yet: every claim (none) is official; sources on media only are marked', () => {
    expect(agreementSourcing([{ kind: 'media' }], [m('planned', 'scheduled', [])])).toMatchObject({ claims: 0, everyClaimOfficial: true, mediaOnly: true });
  });
});
