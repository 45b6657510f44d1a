import { AxisBottom, AxisLeft } from '@visx/axis';
import { Group } from '@visx/group';
import { scaleBand, scaleLinear } from '@visx/scale';
import { Bar } from '@visx/shape';
import type { ChapterFunnelResponseDto } from '../api/types.js';
import { ChartFrame } from './chart-frame.js';
import { useChartWidth } from './use-chart-width.js';

type Funnel = ChapterFunnelResponseDto['chapters'][number];

/** Stack order and colours: chosen to stay apart for common colour-vision deficiencies. */
export const FUNNEL_PARTS = [
  { key: 'completed', label: 'Completed', colour: '#1b7837' },
  { key: 'started', label: 'Started', colour: '#2c7fb8' },
  { key: 'stuck', label: 'Stuck', colour: '#d95f02' },
  { key: 'notStarted', label: 'Not started', colour: '#bdbdbd' },
] as const;

const MARGIN = { top: 8, right: 16, bottom: 52, left: 150 };
const NARROW = 480;

/** The chapter funnel as horizontal stacked bars: one bar per chapter, readers by state. */
export function ChapterFunnelChart({ chapters }: { readonly chapters: readonly Funnel[] }) {
  const { ref, width } = useChartWidth<HTMLDivElement>();
  const narrow = width < NARROW;
  const margin = { ...MARGIN, left: narrow ? 112 : MARGIN.left };
  const height = margin.top + margin.bottom + Math.max(1, chapters.length) * 34;
  const total = Math.max(1, ...chapters.map((c) => c.notStarted + c.started + c.completed + c.stuck));
  const x = scaleLinear<number>({ domain: [0, total], range: [0, width - margin.left - margin.right], nice: true });
  const y = scaleBand<string>({ domain: chapters.map((c) => c.chapterId), range: [0, height - margin.top - margin.bottom], padding: 0.25 });
  const titleOf = new Map(chapters.map((c) => [c.chapterId, c.title]));
  const hardest = [...chapters].sort((a, b) => b.stuck - a.stuck)[0];
  const summary =
    chapters.length === 0
      ? 'There are no chapters yet.'
      : `${chapters.length} chapters. ${chapters.map((c) => `${c.title}: ${c.completed} completed, ${c.started} started, ${c.stuck} stuck, ${c.notStarted} not started`).join('; ')}.` +
        (hardest && hardest.stuck > 0 ? ` Most readers are stuck on ${hardest.title}.` : '');
  return (
    <ChartFrame
      title="Where readers are, chapter by chapter"
      summary={summary}
      width={width}
      height={height}
      measureRef={ref}
      legend={FUNNEL_PARTS}
      table={
        <table className="data-table">
          <thead>
            <tr>
              <th scope="col">Chapter</th>
              {FUNNEL_PARTS.map((p) => (
                <th scope="col" key={p.key}>
                  {p.label}
                </th>
              ))}
              <th scope="col">Median score</th>
              <th scope="col">Median minutes to complete</th>
            </tr>
          </thead>
          <tbody>
            {chapters.map((c) => (
              <tr key={c.chapterId}>
                <th scope="row">{c.title}</th>
                {FUNNEL_PARTS.map((p) => (
                  <td key={p.key}>{c[p.key]}</td>
                ))}
                <td>{c.medianScore ?? '—'}</td>
                <td>{c.medianMinutesToComplete ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      }
    >
      <Group left={margin.left} top={margin.top}>
        {chapters.map((c) => {
          let offset = 0;
          return FUNNEL_PARTS.map((part) => {
            const value = c[part.key];
            const bar = (
              <Bar key={`${c.chapterId}-${part.key}`} x={x(offset)} y={y(c.chapterId) ?? 0} width={Math.max(0, x(value))} height={y.bandwidth()} fill={part.colour} />
            );
            offset += value;
            return bar;
          });
        })}
        <AxisLeft
          scale={y}
          tickFormat={(id) => shorten(titleOf.get(id) ?? id, narrow ? 15 : 22)}
          hideTicks
          tickLabelProps={{ fontSize: 12, fill: '#1f2933', textAnchor: 'end' }}
        />
        <AxisBottom
          top={height - margin.top - margin.bottom}
          scale={x}
          numTicks={narrow ? 3 : 6}
          tickFormat={(value) => (Number.isInteger(Number(value)) ? String(value) : '')}
          label="Readers (count)"
          labelOffset={14}
          tickLabelProps={{ fontSize: 12, fill: '#1f2933', textAnchor: 'middle' }}
          labelProps={{ fontSize: 12, fill: '#1f2933', textAnchor: 'middle' }}
        />
      </Group>
    </ChartFrame>
  );
}

function shorten(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
