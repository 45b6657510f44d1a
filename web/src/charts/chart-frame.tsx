import { useId, type ReactNode, type Ref } from 'react';

/**
 * A chart with its accessible name and summary, and the same numbers as a table (the alternative
 * for screen readers and for anyone who wants the figures). The SVG is one image to assistive
 * technology; the table carries the detail.
 */
export function ChartFrame({
  title,
  summary,
  width,
  height,
  legend,
  table,
  children,
  measureRef,
}: {
  readonly title: string;
  readonly summary: string;
  readonly width: number;
  readonly height: number;
  readonly legend?: readonly { label: string; colour: string }[];
  readonly table: ReactNode;
  readonly children: ReactNode;
  /** Where the chart's width is measured (useChartWidth). */
  readonly measureRef?: Ref<HTMLDivElement>;
}) {
  const id = useId();
  return (
    <figure className="chart">
      <figcaption id={`${id}-title`} className="chart-title">
        {title}
      </figcaption>
      {legend && (
        <ul className="chart-legend" aria-label={`${title}: legend`}>
          {legend.map((item) => (
            <li key={item.label}>
              <span className="chart-swatch" style={{ background: item.colour }} aria-hidden="true" />
              {item.label}
            </li>
          ))}
        </ul>
      )}
      <div ref={measureRef} className="chart-box">
        <svg className="chart-svg" width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-labelledby={`${id}-title ${id}-summary`}>
          <desc id={`${id}-summary`}>{summary}</desc>
          {children}
        </svg>
      </div>
      <details className="chart-table">
        <summary>Show the numbers as a table</summary>
        {table}
      </details>
    </figure>
  );
}
