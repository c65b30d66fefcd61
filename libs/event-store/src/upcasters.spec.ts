import { Upcasters } from './upcasters';

// milestone.planned: v1 {due} → v2 {dueDate} → v3 {dueDate, evidence: []}; agreement.registered has no upcasters.
const upcasters = new Upcasters([
  { type: 'milestone.planned', fromSchemaVersion: 1, upcast: (d) => { const { due, ...rest } = d as { due: string }; return { ...rest, dueDate: due }; } },
  { type: 'milestone.planned', fromSchemaVersion: 2, upcast: (d) => ({ ...(d as object), evidence: [] }) },
]);

describe('upcasting', () => {
  it.each([
    ['v1 runs the whole chain', 'milestone.planned', 1, { title: 't', due: '2026-10-31' }, 3, { title: 't', dueDate: '2026-10-31', evidence: [] }],
    ['v2 runs the last step', 'milestone.planned', 2, { title: 't', dueDate: '2026-10-31' }, 3, { title: 't', dueDate: '2026-10-31', evidence: [] }],
    ['the newest version is left alone', 'milestone.planned', 3, { title: 't', dueDate: 'x', evidence: [1] }, 3, { title: 't', dueDate: 'x', evidence: [1] }],
    ['a type without upcasters is left alone', 'agreement.registered', 1, { a: 1 }, 1, { a: 1 }],
    ['an unknown future version is left alone', 'milestone.planned', 7, { z: 1 }, 7, { z: 1 }],
  ])('%s', (_name, type, fromVersion, data, toVersion, expected) => {
    const event = { type, schemaVersion: fromVersion, data, eventId: 'e1', hash: 'h' };
    const frozen = JSON.stringify(event);
    const up = upcasters.upcast(event);
    expect(up.schemaVersion).toBe(toVersion);
    expect(up.data).toEqual(expected);
    expect(up.eventId).toBe('e1');
    expect(up.hash).toBe('h');
    expect(JSON.stringify(event)).toBe(frozen); // the stored event is never rewritten
  });

  it('reports the latest version per type', () => {
    expect(upcasters.latestVersion('milestone.planned')).toBe(3);
    expect(upcasters.latestVersion('agreement.registered')).toBe(1);
  });

  it('refuses two upcasters for the same step and invalid versions', () => {
    expect(() => upcasters.register('milestone.planned', 1, (d) => d)).toThrow(/already registered/);
    expect(() => new Upcasters().register('x', 0, (d) => d)).toThrow(RangeError);
  });
});
