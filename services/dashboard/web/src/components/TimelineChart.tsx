/**
 * The agreement's road from signing to outcome, drawn by ECharts from the layout (lib/timeline): one lane per
 * milestone with its planned span, each slip, progress as a fill, the outcome marker with its evidence, the
 * signing and today lines and the suspension periods shaded. Hovering a piece tells its dates and reasons.
 */
import { graphic } from 'echarts/core';
import { useMemo } from 'react';
import { EChart, type ChartOption } from './EChart';
import {
  describeTimeline,
  outcomeLabel,
  type Lane,
  type Outcome,
  type TimelineLayout,
} from '../lib/timeline';
import { formatDate, signedDays, words } from '../lib/format';

const ms = (date: string) => Date.parse(`${date.slice(0, 10)}T00:00:00Z`);
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const safeUrl = (u: string) => (/^https?:\/\//i.test(u) ? esc(u) : '');

const colors = {
  planned: '#9cc3e4',
  progress: '#1f5f8b',
  slip: '#c45a00',
  forward: '#6b6b6b',
  met: '#1b7a3a',
  partiallyMet: '#8a6d00',
  notMet: '#b3261e',
  cancelled: '#555555',
};
const outcomeSymbol: Record<Outcome, string> = {
  met: 'circle',
  partiallyMet: 'triangle',
  notMet: 'diamond',
  cancelled: 'rect',
};

interface Bar {
  value: [number, number, number];
  lane: Lane;
  what: 'planned' | 'progress' | 'slip';
  slip?: Lane['slips'][number];
}

/** A horizontal bar between two dates on a lane, `share` of the lane's height, clipped to the plot. */
function bars(share: number) {
  return (
    params: { coordSys: { x: number; y: number; width: number; height: number } },
    api: {
      value(i: number): number;
      coord(v: number[]): number[];
      size(v: number[]): number[];
      style(): object;
    },
  ) => {
    const lane = api.value(0);
    const [x0, y] = api.coord([api.value(1), lane]);
    const [x1] = api.coord([api.value(2), lane]);
    const h = api.size([0, 1])[1] * share;
    const shape = graphic.clipRectByRect(
      { x: x0, y: y - h / 2, width: Math.max(x1 - x0, 2), height: h },
      params.coordSys,
    );
    return shape ? { type: 'rect', shape, style: api.style() } : undefined;
  };
}

function tooltip(p: { seriesName: string; data: Bar & { outcome?: Lane['outcome']; due?: string } }): string {
  const d = p.data;
  const l = d.lane;
  const title = `<strong>${esc(l.title)}</strong><br/>`;
  if (d.what === 'slip' && d.slip) {
    const s = d.slip;
    const verb = s.days > 0 ? `Slipped ${signedDays(s.days)}` : `Brought forward ${signedDays(s.days)}`;
    return `${title}${verb}: ${formatDate(s.from)} → ${formatDate(s.to)}<br/>Reason: ${esc(s.reason)}<br/><span>Decided on ${formatDate(s.decidedOn)}</span>`;
  }
  if (d.what === 'progress')
    return `${title}Progress ${l.percent}%${l.progress.at(-1) ? `, reported on ${formatDate(l.progress.at(-1)!.on)}` : ''}`;
  if (p.seriesName === 'Outcome' && d.outcome) {
    const o = d.outcome;
    const links = o.evidence
      .map((e) =>
        safeUrl(e.url)
          ? `<a href="${safeUrl(e.url)}" target="_blank" rel="noopener noreferrer">${esc(e.title ?? e.url)}</a>`
          : esc(e.title ?? e.url),
      )
      .join('<br/>');
    return `${title}${outcomeLabel(o.kind)} on ${formatDate(o.on)}${o.note ? `<br/>${esc(o.note)}` : ''}${links ? `<br/>Evidence:<br/>${links}` : ''}`;
  }
  if (p.seriesName === 'Due date' && d.due)
    return `${title}${d.due === l.originalDue ? 'Original due date' : 'Current due date'}: ${formatDate(d.due)}`;
  return `${title}${words(l.type)}<br/>Planned ${formatDate(l.plannedOn)}, due ${formatDate(l.originalDue)}${l.currentDue !== l.originalDue ? `, now ${formatDate(l.currentDue)}` : ''}`;
}

export function timelineOption(t: TimelineLayout): ChartOption {
  const lanes = t.lanes;
  const planned: Bar[] = lanes.map((l, i) => ({
    value: [i, ms(l.plannedOn), ms(l.originalDue)],
    lane: l,
    what: 'planned',
  }));
  const progress: Bar[] = lanes
    .filter((l) => l.percent > 0)
    .map((l) => {
      const i = lanes.indexOf(l);
      const end = ms(l.plannedOn) + ((ms(l.currentDue) - ms(l.plannedOn)) * Math.min(l.percent, 100)) / 100;
      return { value: [i, ms(l.plannedOn), end], lane: l, what: 'progress' };
    });
  const slips: Bar[] = lanes.flatMap((l, i) =>
    l.slips.map((s) => ({
      value: [i, ms(s.days > 0 ? s.from : s.to), ms(s.days > 0 ? s.to : s.from)] as [number, number, number],
      lane: l,
      what: 'slip' as const,
      slip: s,
      itemStyle: { color: s.days > 0 ? colors.slip : colors.forward },
    })),
  );
  const dues = lanes.flatMap((l, i) => [
    { value: [ms(l.originalDue), i], lane: l, due: l.originalDue, symbol: 'emptyDiamond', what: 'planned' },
    ...(l.currentDue !== l.originalDue
      ? [{ value: [ms(l.currentDue), i], lane: l, due: l.currentDue, symbol: 'diamond', what: 'planned' }]
      : []),
  ]);
  const outcomes = lanes
    .map((l, i) => ({ l, i }))
    .filter(({ l }) => l.outcome)
    .map(({ l, i }) => ({
      value: [ms(l.outcome!.on), i],
      lane: l,
      outcome: l.outcome,
      what: 'planned',
      symbol: outcomeSymbol[l.outcome!.kind],
      itemStyle: { color: colors[l.outcome!.kind] },
    }));
  const lines = [
    {
      xAxis: ms(t.today),
      name: 'today',
      lineStyle: { color: '#b3261e', type: 'solid', width: 2 },
      label: { formatter: 'today', color: '#b3261e' },
    },
    ...(t.signedOn && t.signedOn.length === 10
      ? [
          {
            xAxis: ms(t.signedOn),
            name: 'signed',
            lineStyle: { color: '#1b1b1b', type: 'dashed' },
            label: { formatter: 'signed' },
          },
        ]
      : []),
    ...(t.endedOn
      ? [
          {
            xAxis: ms(t.endedOn.on),
            name: t.endedOn.how,
            lineStyle: { color: '#1b1b1b' },
            label: { formatter: t.endedOn.how },
          },
        ]
      : []),
  ];
  const areas = t.suspensions.map((p) => [
    {
      xAxis: ms(p.from),
      name: `suspended${p.reason ? `: ${p.reason}` : ''}`,
      itemStyle: { color: 'rgba(80, 80, 80, 0.15)' },
      label: { color: '#333' },
    },
    { xAxis: ms(p.to ?? t.today) },
  ]);
  const pad = Math.max((ms(t.to) - ms(t.from)) * 0.03, 7 * 86_400_000);
  return {
    animation: false,
    grid: { left: 270, right: 40, top: 36, bottom: 56 },
    tooltip: { trigger: 'item', enterable: true, confine: true, formatter: tooltip },
    legend: { top: 0, data: ['Planned span', 'Progress', 'Slip', 'Due date', 'Outcome'] },
    dataZoom: [
      { type: 'slider', xAxisIndex: 0, height: 18, bottom: 8 },
      { type: 'inside', xAxisIndex: 0 },
    ],
    xAxis: { type: 'time', min: ms(t.from) - pad, max: ms(t.to) + pad, axisLabel: { hideOverlap: true } },
    yAxis: {
      type: 'category',
      inverse: true,
      data: lanes.map((l) => l.title),
      axisLabel: { width: 250, overflow: 'truncate' },
    },
    series: [
      {
        type: 'custom',
        name: 'Planned span',
        renderItem: bars(0.55),
        encode: { x: [1, 2], y: 0 },
        itemStyle: { color: colors.planned },
        data: planned,
        markLine: { symbol: 'none', silent: true, data: lines },
        markArea: { silent: true, data: areas },
      },
      {
        type: 'custom',
        name: 'Progress',
        renderItem: bars(0.25),
        encode: { x: [1, 2], y: 0 },
        itemStyle: { color: colors.progress },
        data: progress,
      },
      {
        type: 'custom',
        name: 'Slip',
        renderItem: bars(0.4),
        encode: { x: [1, 2], y: 0 },
        itemStyle: { color: colors.slip },
        data: slips,
      },
      { type: 'scatter', name: 'Due date', symbolSize: 12, itemStyle: { color: '#1b1b1b' }, data: dues },
      { type: 'scatter', name: 'Outcome', symbolSize: 16, itemStyle: { color: colors.met }, data: outcomes },
    ],
  };
}

export function TimelineChart({ layout }: { layout: TimelineLayout }) {
  const option = useMemo(() => timelineOption(layout), [layout]);
  const height = 110 + Math.max(layout.lanes.length, 1) * 44;
  return <EChart option={option} label={describeTimeline(layout)} height={height} testId="timeline" />;
}
