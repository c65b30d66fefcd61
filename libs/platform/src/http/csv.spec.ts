import { Writable } from 'node:stream';
import type { Response } from 'express';
import { csvCell, sendCsv, type CsvColumn } from './csv';

describe('a value as its CSV cell', () => {
  it.each<[Parameters<typeof csvCell>[0], string]>([
    ['Türkiye', 'Türkiye'],
    [null, ''],
    [undefined, ''],
    [0, '0'],
    [-3, '-3'], // a number the service wrote, not text a client typed
    [true, 'true'],
    [false, 'false'],
    [['copper', 'lithium'], 'copper; lithium'],
    [[], ''],
    ['=HYPERLINK("x")', `'=HYPERLINK("x")`],
    ['+90 312', "'+90 312"],
    ['-Ministry', "'-Ministry"],
    ['@Brussels', "'@Brussels"],
    ['\tindented', "'\tindented"],
    ['\rreturn', "'\rreturn"],
    [['=cmd', 'ok'], "'=cmd; ok"], // a list is one cell: guarded as the cell starts
    ['a = b', 'a = b'],
  ])('%j -> %j', (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });
});

/** What sendCsv uses of an Express response: a writable stream with a status and headers. */
class FakeResponse extends Writable {
  statusCode = 0;
  headers: Record<string, string> = {};
  body = '';
  status(code: number) {
    this.statusCode = code;
    return this;
  }
  setHeader(name: string, value: string) {
    this.headers[name.toLowerCase()] = value;
  }
  override _write(chunk: Buffer, _encoding: string, done: () => void) {
    this.body += chunk.toString('utf8');
    done();
  }
}

describe('a CSV download', () => {
  const columns: Array<CsvColumn<{ name: string; codes: string[] }>> = [
    { header: 'name', description: 'name', value: (r) => r.name },
    { header: 'codes', description: 'codes', value: (r) => r.codes },
  ];
  const send = (res: FakeResponse, records: AsyncIterable<{ name: string; codes: string[] }>) =>
    sendCsv(res as unknown as Response, 'x.csv', columns, records);

  it('is a header row and one CRLF-ended row per record, quoted where needed', async () => {
    const res = new FakeResponse();
    await send(
      res,
      (async function* () {
        yield { name: 'Türkiye, Republic of', codes: ['TR'] };
        yield { name: 'say "hi"\nthen go', codes: ['A', 'B'] };
      })(),
    );
    expect(res.statusCode).toBe(200);
    expect(res.headers).toEqual({
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': 'attachment; filename="x.csv"',
    });
    expect(res.body).toBe('name,codes\r\n"Türkiye, Republic of",TR\r\n"say ""hi""\nthen go",A; B\r\n');
  });

  it('fails before sending anything when the first record cannot be read, so the error is answered as usual', async () => {
    const res = new FakeResponse();
    const failing = {
      [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(new Error('database down')) }),
    };
    await expect(send(res, failing)).rejects.toThrow('database down');
    expect(res.statusCode).toBe(0);
    expect(res.headers).toEqual({});
    expect(res.body).toBe('');
  });

  it('cuts the download short (no complete-looking file) when a later record fails', async () => {
    const res = new FakeResponse();
    await send(
      res,
      (async function* () {
        yield { name: 'first', codes: [] };
        throw new Error('connection lost');
      })(),
    );
    expect(res.destroyed).toBe(true);
    expect(res.writableFinished).toBe(false);
  });

  it('closes the source when the client goes away', async () => {
    const res = new FakeResponse();
    let closed = false;
    const records = (async function* () {
      try {
        for (let i = 0; ; i++) {
          if (i === 10) res.destroy(); // the client disconnects mid-way
          yield { name: `row ${i}`, codes: [] };
        }
      } finally {
        closed = true;
      }
    })();
    await send(res, records);
    expect(closed).toBe(true);
  });
});
