/** The results table every benchmark prints: a row per figure, the scenario named once, the ratio to its baseline. */
import type { Row } from './context';
import { fmt } from './util';

function cell(value: number | string, unit: string): string {
  if (typeof value === 'string') return value;
  if (!Number.isFinite(value)) return 'n/a';
  return unit === 'count' ? fmt(value, 0) : `${fmt(value)} ${unit}`;
}

function ratio(row: Row): string {
  if (
    typeof row.tracker !== 'number' ||
    typeof row.baseline !== 'number' ||
    !row.baseline ||
    !Number.isFinite(row.tracker) ||
    row.unit === 'count'
  )
    return '';
  const r = row.tracker / row.baseline;
  return `${fmt(r, r < 0.01 ? 4 : 2)}×`;
}

/** The table's lines, header included; `first` names the first column (Scenario, Page). */
export function resultsTable(rows: readonly Row[], first: string): string[] {
  const lines = [
    `| ${first} | Metric | Tracker | Baseline | Tracker / baseline | Baseline is |`,
    '| --- | --- | ---: | ---: | ---: | --- |',
  ];
  let last = '';
  for (const row of rows) {
    lines.push(
      `| ${row.scenario === last ? '' : row.scenario} | ${row.metric} | ${cell(row.tracker, row.unit)} | ${cell(row.baseline, row.unit)} | ${ratio(row)} | ${row.baselineWhat} |`,
    );
    last = row.scenario;
  }
  return lines;
}
