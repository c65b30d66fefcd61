import { arr, int, nullable, obj, oneOf, optional, str, withoutFields } from './json-schema';

interface Sample {
  id: string;
  note?: string;
  count: number | null;
  tags: string[];
  kind: 'a' | 'b';
}

describe('obj', () => {
  it('requires the fields that are not optional and allows nothing else', () => {
    expect(
      obj<Sample>({
        id: str(),
        note: optional(str()),
        count: nullable(int()),
        tags: arr(str()),
        kind: oneOf(['a', 'b'] as const),
      }),
    ).toEqual({
      type: 'object',
      properties: {
        id: { type: 'string' },
        note: { type: 'string' },
        count: { anyOf: [{ type: 'integer' }, { type: 'null' }] },
        tags: { type: 'array', items: { type: 'string' } },
        kind: { type: 'string', enum: ['a', 'b'] },
      },
      required: ['id', 'count', 'tags', 'kind'],
      additionalProperties: false,
    });
  });

  // These do not compile (the typecheck fails if one does): what keeps a schema from drifting from its type.
  it('is checked against its type at compile time', () => {
    const fine = {
      id: str(),
      note: optional(str()),
      count: nullable(int()),
      tags: arr(str()),
      kind: oneOf(['a', 'b'] as const),
    };
    // @ts-expect-error a field of the type left out
    obj<Sample>({ id: fine.id, note: fine.note, count: fine.count, tags: fine.tags });
    // @ts-expect-error a field the type does not have
    obj<Sample>({ ...fine, extra: str() });
    // @ts-expect-error an optional field given as required
    obj<Sample>({ ...fine, note: str() });
    // @ts-expect-error a required field given as optional
    obj<Sample>({ ...fine, id: optional(str()) });
    // @ts-expect-error a nullable field without null
    obj<Sample>({ ...fine, count: int() });
    // @ts-expect-error another type
    obj<Sample>({ ...fine, tags: arr(int()) });
    // @ts-expect-error an enum with another value
    obj<Sample>({ ...fine, kind: oneOf(['a', 'c'] as const) });
    expect(obj<Sample>(fine)).toBeDefined();
  });
});

describe('withoutFields', () => {
  it('drops the fields from the properties and from required', () => {
    const schema = obj<Sample>({
      id: str(),
      note: optional(str()),
      count: nullable(int()),
      tags: arr(str()),
      kind: oneOf(['a', 'b'] as const),
    });
    expect(withoutFields(schema, ['count', 'note'])).toEqual({
      type: 'object',
      properties: {
        id: { type: 'string' },
        tags: { type: 'array', items: { type: 'string' } },
        kind: { type: 'string', enum: ['a', 'b'] },
      },
      required: ['id', 'tags', 'kind'],
      additionalProperties: false,
    });
  });
});
