// How numbers and times are shown. Times in the browser's zone, with the zone named.

export function bytes(n) {
  if (n === null || n === undefined || Number.isNaN(n)) return '—';
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

export function percent(n) {
  return n === null || n === undefined ? '—' : `${n.toFixed(1)} %`;
}

export function ms(n) {
  return n === null || n === undefined ? '—' : `${Math.round(n)} ms`;
}

export function duration(seconds) {
  if (seconds === null || seconds === undefined || Number.isNaN(seconds)) return '—';
  const s = Math.max(0, Math.floor(seconds));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d) return `${d} d ${h} h`;
  if (h) return `${h} h ${m} min`;
  if (m) return `${m} min ${s % 60} s`;
  return `${s} s`;
}

const toDate = (v) => (v instanceof Date ? v : new Date(typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v));

export function dateTime(v) {
  if (v === null || v === undefined || v === '') return '—';
  const d = toDate(v);
  if (Number.isNaN(d.getTime())) return String(v);
  return d.toLocaleString(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

export function time(v) {
  const d = toDate(v);
  if (Number.isNaN(d.getTime())) return String(v);
  return d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

export function since(v, now = Date.now()) {
  if (v === null || v === undefined) return '—';
  const t = toDate(v).getTime();
  if (Number.isNaN(t)) return '—';
  const diff = (now - t) / 1000;
  return diff >= 0 ? `${duration(diff)} ago` : `in ${duration(-diff)}`;
}

export const zoneName = () => Intl.DateTimeFormat().resolvedOptions().timeZone;
