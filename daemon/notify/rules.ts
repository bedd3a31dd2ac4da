/**
 * Rules in the form the condition tracker uses: presets expanded, minutes turned into ms,
 * patterns compiled once. Matching runs for every event the daemon records, so it is plain
 * string and field comparisons, no allocation on a miss.
 */
import type { EventLevel, ServiceEvent } from '../events.js';
import { PRESET_NAMES, type NotificationsConfig, type RuleConfig } from '../config/notify-schema.js';
import { severityAtLeast } from './notification.js';
import { presets } from './presets.js';

type Scalar = string | number | boolean;
type Where = Record<string, Scalar | Scalar[]>;

export interface EventMatcher {
  types: RegExp[];
  where: Where | null;
  minLevel: EventLevel | null;
}

export interface ResolvedRule {
  name: string;
  match: EventMatcher;
  clear: EventMatcher | null;
  /** null: every channel. */
  channels: string[] | null;
  count: number;
  withinMs: number;
  forMs: number;
  dedupeMs: number;
  dedupeBy: string[];
  recoveryMessage: string | null;
  /** Maintenance announcements go out even while notifications are on hold: they explain the hold. */
  passesHold: boolean;
}

const MINUTE = 60_000;

function pattern(glob: string): RegExp {
  return new RegExp(`^${glob.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\-]/g, '\\$&')).join('.*')}$`);
}

function matcher(events: string[], where: Where | undefined, minLevel: EventLevel | undefined): EventMatcher {
  return { types: events.map(pattern), where: where ?? null, minLevel: minLevel ?? null };
}

/** `type`, `level`, `message` or `data.<field>` of an event, for dedupe keys. */
export function fieldOf(event: ServiceEvent, path: string): unknown {
  if (path === 'type' || path === 'level' || path === 'message') return event[path];
  return path.startsWith('data.') ? event.data?.[path.slice(5)] : undefined;
}

export function matches(m: EventMatcher, event: ServiceEvent): boolean {
  if (m.minLevel && !severityAtLeast(event.level, m.minLevel)) return false;
  if (!m.types.some((re) => re.test(event.type))) return false;
  if (!m.where) return true;
  for (const [key, want] of Object.entries(m.where)) {
    const got = event.data?.[key];
    if (Array.isArray(want) ? !want.includes(got as Scalar) : got !== want) return false;
  }
  return true;
}

function resolve(rule: RuleConfig, index: number, section: NotificationsConfig): ResolvedRule {
  const base = rule.preset ? presets(section)[rule.preset] : null;
  const events = rule.events ?? base?.events ?? [];
  const cleared = rule.clearedBy ?? base?.clearedBy;
  const dedupeMinutes = rule.dedupeMinutes ?? base?.dedupeMinutes ?? section.dedupeMinutes;
  return {
    name: rule.name ?? rule.preset ?? `rule-${index + 1}`,
    match: matcher(events, rule.where ?? base?.where, rule.minLevel ?? base?.minLevel),
    clear: cleared ? matcher(cleared.events, cleared.where, undefined) : null,
    channels: rule.channels ?? null,
    count: rule.count ?? base?.count ?? 1,
    withinMs: (rule.withinMinutes ?? base?.withinMinutes ?? 10) * MINUTE,
    forMs: (rule.forMinutes ?? base?.forMinutes ?? 0) * MINUTE,
    dedupeMs: dedupeMinutes * MINUTE,
    dedupeBy: base?.dedupeBy ?? [],
    recoveryMessage: rule.recoveryMessage ?? base?.recoveryMessage ?? null,
    passesHold: rule.preset === 'maintenance',
  };
}

/** The section's rules; none configured = every preset, to every channel. */
export function resolveRules(section: NotificationsConfig): ResolvedRule[] {
  const rules: RuleConfig[] = section.rules.length > 0 ? section.rules : PRESET_NAMES.map((preset) => ({ preset }));
  const resolved = rules.map((r, i) => resolve(r, i, section));
  // Two rules with one name would share condition state; the later one gets a suffix.
  const seen = new Map<string, number>();
  for (const r of resolved) {
    const n = (seen.get(r.name) ?? 0) + 1;
    seen.set(r.name, n);
    if (n > 1) r.name = `${r.name}#${n}`;
  }
  return resolved;
}
