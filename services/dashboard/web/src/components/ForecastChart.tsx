/**
 * A milestone's completion forecast, drawn by ECharts from lib/forecast: the progress reports as points, the pace
 * line on to 100 %, the band's fast and slow ends with the band shaded on the 100 % line, the projected date and
 * the due date as a line, so one sees at a glance whether the pace gets there before the due date. Each piece
 * differs in shape or dash as well as colour, and is named in the legend and on the chart.
 */
import { useMemo } from 'react';
import type { Forecast } from '../api/types';
import { describeForecast, drawForecast, type ForecastDrawing } from '../lib/forecast';
import { formatDate } from '../lib/format';
import { EChart, type ChartOption } from './EChart';

const ms = (date: string) => Date.parse(`${date}T00:00:00Z`);
const DAY = 86_400_000;
const colors = { reports: '#1f5f8b', pace: '#1f5f8b', band: '#6b6b6b', due: '#b3261e' };
const points = (ps: [string, number][]) => ps.map(([d, p]) => [ms(d), Math.round(p * 10) / 10]);

function tooltip(p: { seriesName: string; value: [number, number] }): string {
  const on = formatDate(new Date(p.value[0]).toISOString());
  if (p.seriesName === 'Progress report') return `Reported ${p.value[1]}% on ${on}`;
  if (p.seriesName === 'Projected completion') return `Projected complete on ${on}`;
  return `${p.seriesName}: ${p.value[1]}% on ${on}`;
}

export function forecastOption(d: ForecastDrawing): ChartOption {
  const pad = Math.max((ms(d.to) - ms(d.from)) * 0.04, 7 * DAY);
  const end = ms(d.to) + pad;
  const edge = (name: string, line: [string, number][] | null, type: 'dashed' | 'dotted') =>
    line && {
      type: 'line',
      name,
      data: points(line),
      symbol: 'none',
      lineStyle: { color: colors.band, type, width: 1.5 },
      itemStyle: { color: colors.band },
    };
  return {
    animation: false,
    grid: { left: 48, right: 24, top: 36, bottom: 28 },
    tooltip: { trigger: 'item', confine: true, formatter: tooltip },
    legend: {
      top: 0,
      data: ['Progress report', 'Pace', 'Band: fast end', 'Band: slow end', 'Projected completion'],
    },
    xAxis: { type: 'time', min: ms(d.from) - pad, max: end, axisLabel: { hideOverlap: true } },
    yAxis: { type: 'value', min: 0, max: 100, interval: 25, axisLabel: { formatter: '{value}%' } },
    series: [
      {
        type: 'scatter',
        name: 'Progress report',
        symbol: 'circle',
        symbolSize: 9,
        itemStyle: { color: colors.reports },
        data: points(d.reports),
      },
      {
        type: 'line',
        name: 'Pace',
        data: points(d.pace),
        symbol: 'none',
        lineStyle: { color: colors.pace, width: 2 },
        itemStyle: { color: colors.pace },
        markLine: {
          symbol: 'none',
          silent: true,
          data: [
            {
              xAxis: ms(d.dueDate),
              name: 'due',
              lineStyle: { color: colors.due, type: 'solid', width: 2 },
              label: { formatter: `due ${formatDate(d.dueDate)}`, color: colors.due },
            },
          ],
        },
        markArea: d.band
          ? {
              silent: true,
              data: [
                [
                  {
                    xAxis: ms(d.band.from),
                    yAxis: 95,
                    name: d.band.to ? 'band' : 'band (open-ended)',
                    itemStyle: { color: 'rgba(80, 80, 80, 0.18)' },
                    label: { color: '#333', position: 'top' },
                  },
                  { xAxis: d.band.to ? ms(d.band.to) : end, yAxis: 100 },
                ],
              ],
            }
          : undefined,
      },
      edge('Band: fast end', d.fast, 'dashed'),
      edge('Band: slow end', d.slow, 'dotted'),
      ...(d.projectedOn
        ? [
            {
              type: 'scatter',
              name: 'Projected completion',
              symbol: 'diamond',
              symbolSize: 13,
              itemStyle: { color: colors.pace },
              data: [[ms(d.projectedOn), 100]],
            },
          ]
        : []),
    ].filter(Boolean),
  };
}

export function ForecastChart({ title, forecast }: { title: string; forecast: Forecast }) {
  const drawing = useMemo(() => drawForecast(forecast), [forecast]);
  const option = useMemo(() => drawing && forecastOption(drawing), [drawing]);
  if (!option) return null;
  return (
    <EChart
      option={option}
      label={describeForecast(title, forecast)}
      height={220}
      testId={`forecast-${forecast.milestoneId}`}
    />
  );
}
