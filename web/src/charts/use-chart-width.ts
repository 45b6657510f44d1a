import { useLayoutEffect, useRef, useState } from 'react';

/** The widest a chart draws (its design width); narrower containers get a narrower chart, not smaller text. */
export const CHART_MAX_WIDTH = 720;
const CHART_MIN_WIDTH = 280;

/**
 * The width a chart has on screen, measured (and followed) on its container, so the SVG is drawn
 * at 1 unit = 1 CSS pixel and its text keeps its size on a phone instead of being scaled down.
 */
export function useChartWidth<E extends HTMLElement>() {
  const ref = useRef<E>(null);
  const [width, setWidth] = useState(CHART_MAX_WIDTH);
  useLayoutEffect(() => {
    const element = ref.current;
    if (element === null) return;
    const measure = () => {
      const available = Math.floor(element.clientWidth);
      if (available > 0) setWidth(Math.max(CHART_MIN_WIDTH, Math.min(CHART_MAX_WIDTH, available)));
    };
    measure();
    if (typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  return { ref, width };
}
