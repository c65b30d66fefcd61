import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { IsArray, IsOptional, IsString, validateSync } from 'class-validator';
import { IsBusinessTime, IsCalendarDate, IsOmittable } from './common';

class Due {
  @IsCalendarDate()
  dueDate!: string;
}

class Happened {
  @IsBusinessTime()
  occurredAt!: string;
}

const dueDateValid = (dueDate: unknown) => validateSync(plainToInstance(Due, { dueDate })).length === 0;
const businessTimeValid = (occurredAt: unknown) => validateSync(plainToInstance(Happened, { occurredAt })).length === 0;

describe('dates a client sends, parsed strictly with one validator', () => {
  it.each([
    ['2026-06-30', true],
    ['2024-02-29', true], // a leap day
    ['1945-01-01', true], // the first day a fact may carry
    ['2100-12-31', true], // the last
    ['2026-02-30', false], // would roll over to 2 March
    ['2025-02-29', false], // not a leap year
    ['2026-13-01', false],
    ['2026-00-10', false],
    ['2026-06-00', false],
    ['0000-00-00', false],
    ['1900-01-01', false], // a typo, not an agreement of ours: it would raise deadline.missed at once
    ['1944-12-31', false],
    ['2101-01-01', false],
    ['20260-01-01', false],
    ['2026-6-30', false],
    ['2026-06-30T00:00:00Z', false], // a date, not a date-time
    [20260630, false],
    [null, false],
  ])('due date %j valid: %s', (value, ok) => {
    expect(dueDateValid(value)).toBe(ok);
  });

  it.each([
    ['2026-06-30', true],
    ['2026-06-30T12:00:00Z', true],
    ['2026-06-30T12:00Z', true],
    ['2026-06-30T23:59:59.999+05:00', true],
    ['2026-06-30T24:00:00Z', false], // no hour 24
    ['2026-06-30T23:60:00Z', false],
    ['2026-06-30T23:59:60Z', false],
    ['2026-13-45T99:99Z', false],
    ['2026-02-30T10:00:00Z', false],
    ['2026-06-30T12:00:00', false], // no zone: which day would it be?
    ['2026-06-30T12:00:00+25:00', false],
    ['yesterday', false],
  ])('business time %j valid: %s', (value, ok) => {
    expect(businessTimeValid(value)).toBe(ok);
  });

  it('says what to send', () => {
    const [error] = validateSync(plainToInstance(Due, { dueDate: '1900-01-01' }));
    expect(Object.values(error.constraints ?? {})).toEqual(['dueDate must be a calendar date YYYY-MM-DD from 1945-01-01 to 2100-12-31']);
  });
});

class Omittable {
  @IsOmittable()
  @IsArray()
  @IsString({ each: true })
  targets?: string[];

  @IsOptional()
  @IsArray()
  loose?: string[];
}

describe('IsOmittable: a field that may be left out, but not sent as null', () => {
  const errors = (body: object) => validateSync(plainToInstance(Omittable, body)).map((e) => e.property);
  it.each([
    ['left out', {}, []],
    ['a list', { targets: ['T1'] }, []],
    ['an empty list', { targets: [] }, []],
    ['null', { targets: null }, ['targets']],
    ['not a list', { targets: 'T1' }, ['targets']],
  ])('%s', (_, body, expected) => {
    expect(errors(body)).toEqual(expected);
  });

  it('where IsOptional lets null through (why it exists)', () => {
    expect(errors({ loose: null })).toEqual([]);
  });
});
