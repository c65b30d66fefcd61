import { findUnsafeBodyFields, findUnsafeQueryFields } from './operator-guard';

describe('Mongo operator defence', () => {
  it('finds operator, dotted and prototype keys at any depth, with their paths', () => {
    const body = JSON.parse(
      '{"title":"ok","filter":{"$gt":""},"parties":[{"a.b":1},{"__proto__":{"x":1}}],"note":"$ is fine in values"}',
    );
    expect(findUnsafeBodyFields(body).map((e) => e.field)).toEqual([
      'filter.$gt',
      'parties[0].a.b',
      'parties[1].__proto__',
    ]);
    expect(findUnsafeBodyFields({ title: 'x', tags: ['$a', 'b.c'] })).toEqual([]);
  });

  it('refuses absurd nesting', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100; i++) deep = { a: deep };
    expect(findUnsafeBodyFields(deep)).toHaveLength(1);
  });

  it('wants flat query parameters', () => {
    expect(
      findUnsafeQueryFields({ 'status[$ne]': 'x', 'a.b': '1', ok: 'x', many: ['1', '2'] }).map(
        (e) => e.field,
      ),
    ).toEqual(['status[$ne]', 'a.b']);
    expect(findUnsafeQueryFields({ status: { $ne: 'x' } }).map((e) => e.field)).toEqual(['status']);
  });
});
