import { parseIfMatch } from './if-match';
import { Problem } from './problem';

describe('parseIfMatch', () => {
  it.each([
    ['"3"', 3],
    ['W/"3"', 3],
    ['3', 3],
    [' "12" ', 12],
    ['"0"', 0],
  ])('%p → %p', (header, version) => {
    expect(parseIfMatch(header, { required: true })).toBe(version);
  });

  it.each(['*', '"3", "4"', 'abc', '"3', 'W/3', '"-1"', '"1.5"'])('refuses %p with 400', (header) => {
    expect(() => parseIfMatch(header, { required: true })).toThrow(expect.objectContaining({ status: 400 }));
  });

  it('missing: 428 when required, undefined otherwise', () => {
    let thrown: unknown;
    try {
      parseIfMatch(undefined, { required: true });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(Problem);
    expect((thrown as Problem).getStatus()).toBe(428);
    expect(parseIfMatch('', {})).toBeUndefined();
    expect(parseIfMatch(undefined)).toBeUndefined();
  });
});
