import { AxisBottom, AxisLeft } from '@visx/axis';
import { Group } from '@visx/group';
import { scaleBand, scaleLinear } from '@visx/scale';
import { Bar } from '@visx/shape';
import { ChartFrame } from './chart-frame.js';
import { useChartWidth } from './use-chart-width.js';

const HEIGHT = 240;
const MARGIN = { top: 12, right: 16, bottom: 52, left: 60 };
const COLOUR = '#1b7837';

/** Score bands of ten points (the last one is 90 to 100), for the distribution. */
export function scoreBands(scores: readonly number[]): { label: string; count: number }[] {
  const bands = Array.from({ length: 10 }, (_, i) => ({ label: i === 9 ? '90–100' : `${i * 10}–${i * 10 + 9}`, count: 0 }));
  for (const score of scores) bands[Math.min(9, Math.floor(score / 10))]!.count += 1;
  return bands;
}

/** How the scores of completed chapters spread, in bands of ten points. */
export function ScoreDistributionChart({ scores, note }: { readonly scores: readonly number[]; readonly note: string }) {
  const bands = scoreBands(scores);
  const { ref, width } = useChartWidth<HTMLDivElement>();
  const innerWidth = width - MARGIN.left - MARGIN.right;
  const innerHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = scaleBand<string>({ domain: bands.map((b) => b.label), range: [0, innerWidth], padding: 0.2 });
  const y = scaleLinear<number>({ domain: [0, Math.max(1, ...bands.map((b) => b.count))], range: [innerHeight, 0], nice: true });
  const summary =
    scores.length === 0
      ? 'No completed chapter has a score yet.'
      : `${scores.length} scores. ${bands.map((b) => `${b.label}: ${b.count}`).join(', ')}. ${note}`;
  return (
    <ChartFrame
      title="Scores of completed chapters"
      summary={summary}
      width={width}
      measureRef={ref}
      height={HEIGHT}
      table={
        <table className="data-table">
          <thead>
            <tr>
              <th scope="col">Score</th>
              <th scope="col">Completed chapters</th>
            </tr>
          </thead>
          <tbody>
            {bands.map((b) => (
              <tr key={b.label}>
                <th scope="row">{b.label}</th>
                <td>{b.count}</td>
              </tr>
            ))}
          </tbody>
        </table>
      }
    >
      <Group left={MARGIN.left} top={MARGIN.top}>
        {bands.map((b) => (
          <Bar key={b.label} x={x(b.label) ?? 0} y={y(b.count)} width={x.bandwidth()} height={innerHeight - y(b.count)} fill={COLOUR} />
        ))}
        <AxisLeft
          scale={y}
          numTicks={5}
          tickFormat={(value) => (Number.isInteger(Number(value)) ? String(value) : '')}
          label="Completed chapters (count)"
          labelOffset={32}
          tickLabelProps={{ fontSize: 12, fill: '#1f2933', textAnchor: 'end' }}
          labelProps={{ fontSize: 12, fill: '#1f2933', textAnchor: 'middle' }}
        />
        <AxisBottom
          top={innerHeight}
          scale={x}
          label={width < 480 ? 'Score band, from (points)' : 'Score (points)'}
          labelOffset={14}
          tickFormat={(label) => (width < 480 ? String(label).split('–')[0]! : String(label))}
          tickLabelProps={{ fontSize: 12, fill: '#1f2933', textAnchor: 'middle' }}
          labelProps={{ fontSize: 12, fill: '#1f2933', textAnchor: 'middle' }}
        />
      </Group>
    </ChartFrame>
  );
}
