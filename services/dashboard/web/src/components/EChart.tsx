/**
 * A chart, drawn by Apache ECharts (EChartView), which is loaded on first use: the page's text and tables
 * render without waiting for the chart library, and a placeholder of the chart's size keeps the layout still.
 */
import type { EChartsCoreOption } from 'echarts/core';
import { lazy, Suspense } from 'react';

export type ChartOption = EChartsCoreOption;

const EChartView = lazy(() => import('./EChartView'));

export interface ChartProps {
  option: ChartOption;
  /** What the chart shows, in words (its accessible name and description). */
  label: string;
  height?: number;
  testId?: string;
}

export function EChart(props: ChartProps) {
  const height = props.height ?? 240;
  return (
    <Suspense
      fallback={
        <div
          className="chart loading"
          style={{ height }}
          role="img"
          aria-label={`${props.label} (loading the chart)`}
        />
      }
    >
      <EChartView {...props} />
    </Suspense>
  );
}
