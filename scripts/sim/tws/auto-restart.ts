/**
 * IBC's AutoRestartTime (`hh:mm AM/PM`, the machine's local time): the gateway restarts itself
 * daily at that time without a second factor. Midnight is 12:00 AM, midday 12:00 PM.
 */
export function parseAmPm(text: string): { hour: number; minute: number } | null {
  const m = /^(\d{1,2}):(\d{2}) (AM|PM)$/i.exec(text.trim());
  if (!m) return null;
  const h = Number(m[1]);
  const minute = Number(m[2]);
  if (h < 1 || h > 12 || minute > 59) return null;
  const pm = m[3]!.toUpperCase() === 'PM';
  return { hour: (h % 12) + (pm ? 12 : 0), minute };
}

/** ms from `now` to the next local hh:mm (tomorrow's when today's has passed). */
export function msUntil(hour: number, minute: number, now = new Date()): number {
  const next = new Date(now);
  next.setHours(hour, minute, 0, 0);
  if (next.getTime() <= now.getTime()) next.setDate(next.getDate() + 1);
  return next.getTime() - now.getTime();
}

export function scheduleDaily(text: string, action: () => void): void {
  const at = parseAmPm(text);
  if (!at) return;
  const arm = (): void => void setTimeout(() => {
    action();
    arm();
  }, msUntil(at.hour, at.minute)).unref();
  arm();
}
