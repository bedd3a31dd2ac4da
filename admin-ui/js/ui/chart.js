// A time chart (uPlot) of one series over the last hour, sized to its container.
import uPlot from '../../vendor/uplot.mjs';
import { html, useEffect, useRef } from '../html.js';

/**
 * `at` in ms since the epoch, `values` in the unit `format` prints. The chart is an image to
 * a screen reader, so its label carries the summary a sighted person reads off the curve.
 */
export function TimeChart({ id, title, at, values, format, color = '#1d4ed8' }) {
  const box = useRef(null);
  const plot = useRef(null);

  useEffect(() => {
    const el = box.current;
    const opts = {
      width: Math.max(200, el.clientWidth),
      height: 160,
      legend: { show: false },
      cursor: { show: true, drag: { x: false, y: false } },
      // At least two minutes wide: a few seconds of samples would get sub-second tick labels.
      scales: { x: { time: true, range: (_u, min, max) => [Math.min(min ?? max, max - 120), max] } },
      axes: [
        { stroke: '#374151', grid: { stroke: '#e5e7eb' }, ticks: { stroke: '#d1d5db' } },
        { stroke: '#374151', grid: { stroke: '#e5e7eb' }, ticks: { stroke: '#d1d5db' }, size: 64, values: (_u, ticks) => ticks.map((t) => format(t)) },
      ],
      series: [{}, { label: title, stroke: color, width: 2, fill: `${color}1a`, points: { show: false } }],
    };
    plot.current = new uPlot(opts, [[], []], el);
    const resize = new ResizeObserver(() => plot.current?.setSize({ width: Math.max(200, el.clientWidth), height: 160 }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, []);

  useEffect(() => {
    plot.current?.setData([at.map((t) => t / 1000), values]);
  }, [at, values]);

  const finite = values.filter((v) => Number.isFinite(v));
  const summary = finite.length === 0
    ? `${title}: no samples in the last hour`
    : `${title} over the last hour: latest ${format(finite[finite.length - 1])}, lowest ${format(Math.min(...finite))}, highest ${format(Math.max(...finite))} (${finite.length} samples)`;
  return html`<figure class="chart">
    <figcaption id=${`${id}-caption`}>${title}</figcaption>
    <div class="chart-box" ref=${box} role="img" aria-label=${summary}></div>
    ${finite.length === 0 ? html`<p class="muted chart-empty">No samples yet: they come while the gateway runs.</p>` : null}
  </figure>`;
}
