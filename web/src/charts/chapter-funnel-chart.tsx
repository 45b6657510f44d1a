import { AxisBottom, AxisLeft } from '@visx/axis';
import { Group } from '@visx/group';
import { scaleBand, scaleLinear } from '@visx/scale';
import { Bar } from '@visx/shape';
import type { ChapterFunnelResponseDto } from '../api/types.js';
import { ChartFrame } from './chart-frame.js';

type Funnel = ChapterFunnelResponseDto['chapters'][number];

/** Stack order and colours: chosen to stay apart for common colour-vision deficiencies. */
export const FUNNEL_PARTS = [
  { key: 'completed', label: 'Completed', colour: '#1b7837' },
  { key: 'started', label: 'Started', colour: '#2c7fb8' },
  { key: 'stuck', label: 'Stuck', colour: '#d95f02' },
  { key: 'notStarted', label: 'Not started', colour: '#bdbdbd' },
] as const;

const WIDTH = 720;
const MARGIN = { top: 8, right: 16, bottom: 36, left: 150 };

/** The chapter funnel as horizontal stacked bars: one bar per chapter, readers by state. */
export function ChapterFunnelChart({ chapters }: { readonly chapters: readonly Funnel[] }) {
  const height = MARGIN.top + MARGIN.bottom + Math.max(1, chapters.length) * 34;
  const total = Math.max(1, ...chapters.map((c) => c.notStarted + c.started + c.completed + c.stuck));
  const x = scaleLinear<number>({ domain: [0, total], range: [0, WIDTH - MARGIN.left - MARGIN.right] });
  const y = scaleBand<string>({ domain: chapters.map((c) => c.chapterId), range: [0, height - MARGIN.top - MARGIN.bottom], padding: 0.25 });
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
      width={WIDTH}
      height={height}
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
      <Group left={MARGIN.left} top={MARGIN.top}>
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
        <AxisLeft scale={y} tickFormat={(id) => shorten(titleOf.get(id) ?? id)} hideTicks tickLabelProps={{ fontSize: 12, fill: '#1f2933', textAnchor: 'end' }} />
        <AxisBottom top={height - MARGIN.top - MARGIN.bottom} scale={x} numTicks={6} label="Readers" tickLabelProps={{ fontSize: 11, fill: '#1f2933', textAnchor: 'middle' }} labelProps={{ fontSize: 12, fill: '#1f2933', textAnchor: 'middle' }} />
      </Group>
    </ChartFrame>
  );
}

function shorten(text: string): string {
  return text.length > 22 ? `${text.slice(0, 21)}…` : text;
}
