/**
 * CSV downloads for the spreadsheets teams keep: RFC 4180 (CRLF line ends, fields quoted where they need it, a
 * header row), UTF-8, one row per record, written by csv-stringify and streamed at the client's pace.
 */
import { applyDecorators, Logger } from '@nestjs/common';
import { ApiOkResponse, ApiProduces } from '@nestjs/swagger';
import { stringify } from 'csv-stringify';
import type { Response } from 'express';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export type CsvValue = string | number | boolean | null | undefined | readonly string[];

/** One column of a download: its header, what it holds (for the OpenAPI and the README), its value per record. */
export interface CsvColumn<T> {
  header: string;
  description: string;
  value: (record: T) => CsvValue;
}

/** Cells a spreadsheet would run as a formula (OWASP "CSV injection"): = + - @, tab and carriage return. */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * A value as its cell: lists joined with "; ", nothing for absent values, true/false, numbers as written; text
 * that starts like a formula gets a leading ' so the spreadsheet shows it as text.
 */
export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const text = typeof value === 'string' ? value : value.join('; ');
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/** The columns in words, for a route's OpenAPI description. */
export function csvColumnsDescription(columns: ReadonlyArray<CsvColumn<never>>): string {
  return `Columns, in this order: ${columns.map((c) => `\`${c.header}\` (${c.description})`).join(', ')}.`;
}

/**
 * The OpenAPI of a CSV download: text/csv with its Content-Disposition. `description` says what a row is; the
 * columns and the cell rules are added.
 */
export function ApiCsvResponse(
  description: string,
  columns: ReadonlyArray<CsvColumn<never>>,
  filename: string,
) {
  return applyDecorators(
    ApiProduces('text/csv'),
    ApiOkResponse({
      description:
        `${description} RFC 4180 CSV in UTF-8 with a header row; lists are joined with "; ", dates are ISO 8601, an empty cell is an absent value, ` +
        `and text starting with = + - @ (or a tab or carriage return) is prefixed with ' so that spreadsheets do not run it as a formula. ${csvColumnsDescription(columns)}`,
      headers: {
        'Content-Disposition': {
          description: `attachment; filename="${filename}"`,
          schema: { type: 'string' },
        },
      },
      content: {
        'text/csv': { schema: { type: 'string', example: `${columns.map((c) => c.header).join(',')}\r\n` } },
      },
    }),
  );
}

const logger = new Logger('CsvDownload');

/**
 * Answers `records` as a CSV attachment. The first record is read before anything is sent, so a failure to start
 * (the database is down) is still an ordinary problem answer; a failure later cuts the download short, which the
 * client sees as an incomplete transfer rather than as a complete file.
 */
export async function sendCsv<T>(
  res: Response,
  filename: string,
  columns: ReadonlyArray<CsvColumn<T>>,
  records: AsyncIterable<T>,
): Promise<void> {
  const iterator = records[Symbol.asyncIterator]();
  const first = await iterator.next();
  const rows = async function* () {
    try {
      for (let next = first; !next.done; next = await iterator.next())
        yield columns.map((c) => csvCell(c.value(next.value)));
    } finally {
      await iterator.return?.(); // the client went away: close the source (a database cursor)
    }
  };
  res.status(200);
  res.setHeader('Content-Type', 'text/csv; charset=utf-8');
  res.setHeader('Content-Disposition', `attachment; filename="${filename}"`);
  try {
    await pipeline(
      Readable.from(rows()),
      stringify({ header: true, columns: columns.map((c) => c.header), record_delimiter: 'windows' }),
      res,
    );
  } catch (err) {
    if ((err as { code?: string }).code !== 'ERR_STREAM_PREMATURE_CLOSE')
      logger.error(`CSV download ${filename} cut short: ${(err as Error).message}`);
  }
}
