import { AxisBottom, AxisLeft } from '@visx/axis';
import { Group } from '@visx/group';
import { scaleBand, scaleLinear } from '@visx/scale';
import { Bar, LinePath } from '@visx/shape';
import type { ActivityBucketsResponseDto } from '../api/types.js';
import { ChartFrame } from './chart-frame.js';

type Bucket = ActivityBucketsResponseDto['buckets'][number];

const WIDTH = 720;
const HEIGHT = 260;
const MARGIN = { top: 12, right: 16, bottom: 40, left: 56 };
const EVENTS_COLOUR = '#2c7fb8';
const READERS_COLOUR = '#d95f02';

function labelOf(start: string, bucket: 'hour' | 'day'): string {
  return bucket === 'day' ? start.slice(5, 10) : `${start.slice(5, 10)} ${start.slice(11, 16)}`;
}

/** Activity over time: events per bucket as bars, active readers as a line. */
export function ActivityChart({ buckets, bucket }: { readonly buckets: readonly Bucket[]; readonly bucket: 'hour' | 'day' }) {
  const innerWidth = WIDTH - MARGIN.left - MARGIN.right;
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
  const every = Math.max(1, Math.ceil(buckets.length / 8));
  return (
    <ChartFrame
      title={`Activity per ${bucket}`}
      summary={summary}
      width={WIDTH}
      height={HEIGHT}
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
        <AxisLeft scale={y} numTicks={5} tickLabelProps={{ fontSize: 11, fill: '#1f2933', textAnchor: 'end' }} />
        <AxisBottom
          top={innerHeight}
          scale={x}
          tickValues={buckets.filter((_, i) => i % every === 0).map((b) => b.start)}
          tickFormat={(start) => labelOf(start, bucket)}
          tickLabelProps={{ fontSize: 11, fill: '#1f2933', textAnchor: 'middle' }}
        />
      </Group>
    </ChartFrame>
  );
}
