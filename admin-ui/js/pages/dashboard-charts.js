import { get } from '../api.js';
import * as f from '../format.js';
import { html, useEffect, useRef, useState } from '../html.js';
import { Card, ErrorNote } from '../ui/components.js';
import { TimeChart } from '../ui/chart.js';

const EMPTY = { samples: { at: [], cpu: [], memory: [] }, tickles: { at: [], ms: [] } };
const REFRESH_MS = 5000;

/** Appends new rows to each column and drops what left the window. */
function merge(old, fresh, windowMs, now) {
  const cut = now - windowMs;
  const join = (a, b, keys) => {
    const out = {};
    const keep = a.at.findIndex((t) => t > cut);
    const from = keep === -1 ? a.at.length : keep;
    for (const k of keys) out[k] = [...a[k].slice(from), ...b[k]];
    return out;
  };
  return {
    samples: join(old.samples, fresh.samples, ['at', 'cpu', 'memory']),
    tickles: join(old.tickles, fresh.tickles, ['at', 'ms']),
  };
}

/** The last hour of CPU, memory and keep-alive latency (GET /api/v1/status/history), topped up every 5 s. */
export function HistoryCharts() {
  const [data, setData] = useState(EMPTY);
  const [error, setError] = useState(null);
  const last = useRef({ data: EMPTY, since: 0 });

  useEffect(() => {
    let stop = false;
    let timer = null;
    const load = async () => {
      try {
        const { since } = last.current;
        const fresh = await get(`/api/v1/status/history${since ? `?since=${since}` : ''}`);
        const merged = merge(last.current.data, fresh, fresh.windowMs, Date.now());
        const newest = Math.max(since, merged.samples.at.at(-1) ?? 0, merged.tickles.at.at(-1) ?? 0);
        last.current = { data: merged, since: newest };
        if (!stop) {
          setData(merged);
          setError(null);
        }
      } catch (err) {
        if (!stop) setError(err);
      }
      if (!stop) timer = setTimeout(load, REFRESH_MS);
    };
    void load();
    return () => {
      stop = true;
      clearTimeout(timer);
    };
  }, []);

  return html`<${Card} title="The last hour">
    <${ErrorNote} error=${error} />
    <div class="charts">
      <${TimeChart} id="chart-cpu" title="Gateway CPU" at=${data.samples.at} values=${data.samples.cpu} format=${f.percent} color="#1d4ed8" />
      <${TimeChart} id="chart-memory" title="Gateway memory" at=${data.samples.at} values=${data.samples.memory.map((b) => b / 1048576)} format=${(v) => `${v.toFixed(0)} MB`} color="#047857" />
      <${TimeChart} id="chart-tickle" title="Tickle latency" at=${data.tickles.at} values=${data.tickles.ms} format=${f.ms} color="#b45309" />
    </div>
  <//>`;
}
