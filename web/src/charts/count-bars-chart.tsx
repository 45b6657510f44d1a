import { AxisBottom, AxisLeft } from '@visx/axis';
import { Group } from '@visx/group';
import { scaleBand, scaleLinear } from '@visx/scale';
import { Bar } from '@visx/shape';
import { ChartFrame } from './chart-frame.js';
import { useChartWidth } from './use-chart-width.js';

const HEIGHT = 220;
const MARGIN = { top: 12, right: 16, bottom: 52, left: 60 };

export interface CountBar {
  /** Unique key, also the table's row header (e.g. "2026-11-30"). */
  readonly key: string;
  /** The short tick label on the axis (e.g. "11-30"). */
  readonly tick: string;
  readonly count: number;
}

/**
 * Counts over a series of periods (days, weeks) as bars, with titled axes, whole-number ticks and
 * as few period ticks as fit the width (12 px text at 375 px), and the numbers as a table.
 */
export function CountBarsChart({
  title,
  summary,
  bars,
  xTitle,
  yTitle,
  columnTitle,
  colour,
}: {
  readonly title: string;
  readonly summary: string;
  readonly bars: readonly CountBar[];
  readonly xTitle: string;
  readonly yTitle: string;
  /** The table's heading over the periods. */
  readonly columnTitle: string;
  readonly colour: string;
}) {
  const { ref, width } = useChartWidth<HTMLDivElement>();
  const innerWidth = width - MARGIN.left - MARGIN.right;
  const innerHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = scaleBand<string>({ domain: bars.map((b) => b.key), range: [0, innerWidth], padding: 0.15 });
  const y = scaleLinear<number>({ domain: [0, Math.max(1, ...bars.map((b) => b.count))], range: [innerHeight, 0], nice: true });
  const every = Math.max(1, Math.ceil(bars.length / Math.max(2, Math.floor(innerWidth / 56))));
  return (
    <ChartFrame
      title={title}
      summary={summary}
      width={width}
      height={HEIGHT}
      measureRef={ref}
      table={
        <table className="data-table">
          <thead>
            <tr>
              <th scope="col">{columnTitle}</th>
              <th scope="col">{yTitle}</th>
            </tr>
          </thead>
          <tbody>
            {bars.map((b) => (
              <tr key={b.key}>
                <th scope="row">{b.key}</th>
                <td>{b.count}</td>
              </tr>
            ))}
          </tbody>
        </table>
      }
    >
      <Group left={MARGIN.left} top={MARGIN.top}>
        {bars.map((b) => (
          <Bar key={b.key} x={x(b.key) ?? 0} y={y(b.count)} width={x.bandwidth()} height={innerHeight - y(b.count)} fill={colour} />
        ))}
        <AxisLeft
          scale={y}
          numTicks={Math.min(5, Math.max(1, ...bars.map((b) => b.count)))}
          tickFormat={(value) => (Number.isInteger(Number(value)) ? String(value) : '')}
          label={yTitle}
          labelOffset={32}
          tickLabelProps={{ fontSize: 12, fill: '#1f2933', textAnchor: 'end' }}
          labelProps={{ fontSize: 12, fill: '#1f2933', textAnchor: 'middle' }}
        />
        <AxisBottom
          top={innerHeight}
          scale={x}
          tickValues={bars.filter((_, i) => i % every === 0).map((b) => b.key)}
          tickFormat={(key) => bars.find((b) => b.key === key)?.tick ?? key}
          label={xTitle}
          labelOffset={16}
          tickLabelProps={{ fontSize: 12, fill: '#1f2933', textAnchor: 'middle' }}
          labelProps={{ fontSize: 12, fill: '#1f2933', textAnchor: 'middle' }}
        />
      </Group>
    </ChartFrame>
  );
}
