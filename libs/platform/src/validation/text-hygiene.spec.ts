import { cleanText, textProblem } from './text-hygiene';

describe('text a client may store', () => {
  it.each([
    ['Ankara, Türkiye', null],
    ['Line one\nline two\r\n\tindented', null],
    ['日本語 and العربية and emoji 🇹🇷🇺🇿', null],
    ['a paired surrogate 😀', null],
    ['Ankara \ud800 x', 'unpaired surrogate'],
    ['trailing \udc00', 'unpaired surrogate'],
    ['reversed \udc00\ud800', 'unpaired surrogate'],
    ['NUL \u0000 inside', 'control characters'],
    ['bell \u0007', 'control characters'],
    ['escape \u001b[31m red', 'control characters'],
    ['DEL \u007f', 'control characters'],
    ['C1 \u0085', 'control characters'],
    ['right-to-left override \u202e gnp.exe', 'bidirectional'],
    ['left-to-right embedding \u202a', 'bidirectional'],
    ['isolate \u2066x\u2069', 'bidirectional'],
  ])('%j → %s', (text, problem) => {
    const why = textProblem(text);
    if (problem === null) expect(why).toBeNull();
    else expect(why).toContain(problem);
  });

  it('normalises every string to NFC in place, keys too, and names each refused field by its path', () => {
    const decomposed = 'Tu\u0308rkiye';
    const body: Record<string, unknown> = {
      title: decomposed,
      parties: [{ name: decomposed }, { name: 'Uzbekistan \u202e' }],
      ['Cafe\u0301']: 'x',
      nested: { note: 'ok', bad: 'a\u0000b' },
    };
    const errors = cleanText(body);
    expect(body.title).toBe('Türkiye');
    expect((body.parties as { name: string }[])[0].name).toBe('Türkiye');
    expect(body).toHaveProperty('Café', 'x');
    expect(body).not.toHaveProperty('Cafe\u0301');
    expect(errors.map((e) => e.field)).toEqual(['parties.1.name', 'nested.bad']);
    expect(errors[0].message).toMatch(/^parties\.1\.name must not contain bidirectional/);
  });

  it('leaves numbers, booleans and nulls alone', () => {
    const body = { percent: 40, done: false, note: null, list: [1, 'a'] };
    expect(cleanText(body)).toEqual([]);
    expect(body).toEqual({ percent: 40, done: false, note: null, list: [1, 'a'] });
  });
});
