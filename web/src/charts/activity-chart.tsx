import { AxisBottom, AxisLeft } from '@visx/axis';
import { Group } from '@visx/group';
import { scaleBand, scaleLinear } from '@visx/scale';
import { Bar, LinePath } from '@visx/shape';
import type { ActivityBucketsResponseDto } from '../api/types.js';
import { ChartFrame } from './chart-frame.js';
import { useChartWidth } from './use-chart-width.js';

type Bucket = ActivityBucketsResponseDto['buckets'][number];

const HEIGHT = 280;
const MARGIN = { top: 12, right: 16, bottom: 56, left: 60 };
const EVENTS_COLOUR = '#2c7fb8';
const READERS_COLOUR = '#d95f02';

/** A bucket's label with its year, for tables and summaries (e.g. "2026-03-05", "2026-03-05 14:00"). */
function labelOf(start: string, bucket: 'hour' | 'day'): string {
  return bucket === 'day' ? start.slice(0, 10) : `${start.slice(0, 10)} ${start.slice(11, 16)}`;
}

/** A short tick label (month-day, and the hour); the axis title carries the year. */
function tickOf(start: string, bucket: 'hour' | 'day'): string {
  return bucket === 'day' ? start.slice(5, 10) : `${start.slice(5, 10)} ${start.slice(11, 13)}h`;
}

/** The axis title: the unit and the year (or years) the range covers, in UTC. */
export function timeAxisTitle(buckets: readonly { start: string }[], bucket: 'hour' | 'day'): string {
  const first = buckets[0]?.start.slice(0, 4);
  const last = buckets[buckets.length - 1]?.start.slice(0, 4);
  const years = first === undefined ? '' : first === last ? `, ${first}` : `, ${first}–${last}`;
  return `${bucket === 'day' ? 'Day' : 'Hour'} (UTC${years})`;
}

/** Activity over time: events per bucket as bars, active readers as a line. */
export function ActivityChart({ buckets, bucket }: { readonly buckets: readonly Bucket[]; readonly bucket: 'hour' | 'day' }) {
  const { ref, width } = useChartWidth<HTMLDivElement>();
  const innerWidth = width - MARGIN.left - MARGIN.right;
  const innerHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = scaleBand<string>({ domain: buckets.map((b) => b.start), range: [0, innerWidth], padding: 0.15 });
  const top = Math.max(1, ...buckets.map((b) => Math.max(b.events, b.activeReaders)));
  const y = scaleLinear<number>({ domain: [0, top], range: [innerHeight, 0], nice: true });
  const busiest = [...buckets].sort((a, b) => b.events - a.events)[0];
  const events = buckets.reduce((n, b) => n + b.events, 0);
  const summary =
    buckets.length === 0
      ? 'No time range.'
      : `${events} events over ${buckets.length} ${bucket === 'day' ? 'days' : 'hours'} from ${labelOf(buckets[0]!.start, bucket)}.` +
        (busiest && busiest.events > 0 ? ` The busiest was ${labelOf(busiest.start, bucket)} with ${busiest.events} events by ${busiest.activeReaders} readers.` : '');
  const every = Math.max(1, Math.ceil(buckets.length / Math.max(2, Math.floor(innerWidth / (bucket === 'day' ? 56 : 84)))));
  return (
    <ChartFrame
      title={`Activity per ${bucket}`}
      summary={summary}
      width={width}
      height={HEIGHT}
      measureRef={ref}
      legend={[
        { label: 'Events', colour: EVENTS_COLOUR },
        { label: 'Active readers', colour: READERS_COLOUR },
      ]}
      table={
        <table className="data-table">
          <thead>
            <tr>
              <th scope="col">{bucket === 'day' ? 'Day (UTC)' : 'Hour (UTC)'}</th>
              <th scope="col">Events</th>
              <th scope="col">Active readers</th>
            </tr>
          </thead>
          <tbody>
            {buckets.map((b) => (
              <tr key={b.start}>
                <th scope="row">
                  <time dateTime={b.start}>{labelOf(b.start, bucket)}</time>
                </th>
                <td>{b.events}</td>
                <td>{b.activeReaders}</td>
              </tr>
            ))}
          </tbody>
        </table>
      }
    >
      <Group left={MARGIN.left} top={MARGIN.top}>
        {buckets.map((b) => (
          <Bar key={b.start} x={x(b.start) ?? 0} y={y(b.events)} width={x.bandwidth()} height={innerHeight - y(b.events)} fill={EVENTS_COLOUR} />
        ))}
        <LinePath
          data={[...buckets]}
          x={(b) => (x(b.start) ?? 0) + x.bandwidth() / 2}
          y={(b) => y(b.activeReaders)}
          stroke={READERS_COLOUR}
          strokeWidth={2.5}
        />
        <AxisLeft
          scale={y}
          numTicks={5}
          tickFormat={(value) => (Number.isInteger(Number(value)) ? String(value) : '')}
          label="Events and readers (count)"
          labelOffset={32}
          tickLabelProps={{ fontSize: 12, fill: '#1f2933', textAnchor: 'end' }}
          labelProps={{ fontSize: 12, fill: '#1f2933', textAnchor: 'middle' }}
        />
        <AxisBottom
          top={innerHeight}
          scale={x}
          tickValues={buckets.filter((_, i) => i % every === 0).map((b) => b.start)}
          tickFormat={(start) => tickOf(start, bucket)}
          label={timeAxisTitle(buckets, bucket)}
          labelOffset={16}
          tickLabelProps={{ fontSize: 12, fill: '#1f2933', textAnchor: 'middle' }}
          labelProps={{ fontSize: 12, fill: '#1f2933', textAnchor: 'middle' }}
        />
      </Group>
    </ChartFrame>
  );
}
