/**
 * The `notifications` config section: TypeBox builds the JSON schema (ajv checks it with the
 * rest of the config) and the TypeScript type from one definition. Every object is closed, so
 * a misspelled key is refused with its path instead of being ignored.
 *
 * Secrets never appear in clear: a channel names a vault entry (`{ vault: "ops-webhook" }`)
 * and the notifier asks its `secrets` option for the value at send time.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';

const closed = { additionalProperties: false } as const;
/** A plain JSON-schema enum: ajv then says "must be one of …", where a union of literals says "must be equal to constant". */
const OneOf = <T extends string>(values: readonly T[]) => Type.Unsafe<T>({ type: 'string', enum: [...values] });
const hhmm = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' });
const Nullable = <T extends TSchema>(schema: T) => Type.Union([Type.Null(), schema]);

/** A value held by the credential vault, looked up by name when a message is sent. */
export const SecretRef = Type.Object({ vault: Type.String({ minLength: 1 }) }, closed);
export type SecretRef = Static<typeof SecretRef>;

const StringOrSecret = Type.Union([Type.String(), SecretRef]);

export const QuietHours = Type.Object({
  /** Local wall-clock times; start after end spans midnight (22:00 → 07:00). */
  start: hhmm,
  end: hhmm,
  timeZone: Type.String({ minLength: 1, format: 'time-zone' }),
}, closed);
export type QuietHours = Static<typeof QuietHours>;

const channelName = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$' });

/** Keys every channel has. `quietHours` absent: the section's; null: never quiet. */
const common = {
  name: channelName,
  enabled: Type.Optional(Type.Boolean()),
  quietHours: Type.Optional(Nullable(QuietHours)),
};

export const WebhookChannel = Type.Object({
  ...common,
  type: Type.Literal('webhook'),
  /** Slack and Discord webhook URLs are credentials themselves: they may come from the vault. */
  url: Type.Union([Type.String({ pattern: '^https?://' }), SecretRef]),
  format: Type.Optional(OneOf(['json', 'slack', 'discord'] as const)),
  /** HMAC-SHA256 key; without it no signature header is sent. */
  secret: Type.Optional(SecretRef),
  /** Extra request headers (an Authorization for ntfy, say); values may come from the vault. */
  headers: Type.Optional(Type.Record(Type.String({ pattern: '^[A-Za-z0-9-]+$' }), StringOrSecret)),
}, closed);

export const EmailChannel = Type.Object({
  ...common,
  type: Type.Literal('email'),
  host: Type.String({ minLength: 1 }),
  port: Type.Integer({ minimum: 1, maximum: 65535 }),
  /** starttls: upgrade required (587); implicit: TLS from the first byte (465); none: a local relay only. */
  tls: OneOf(['starttls', 'implicit', 'none'] as const),
  verifyCertificate: Type.Optional(Type.Boolean()),
  username: Type.Optional(Nullable(Type.String({ minLength: 1 }))),
  password: Type.Optional(Nullable(SecretRef)),
  from: Type.String({ minLength: 3 }),
  to: Type.Array(Type.String({ minLength: 3 }), { minItems: 1 }),
}, closed);

export const CommandChannel = Type.Object({
  ...common,
  type: Type.Literal('command'),
  /** argv; the notification arrives as JSON on stdin. Exit 0 = delivered. */
  command: Type.Array(Type.String({ minLength: 1 }), { minItems: 1 }),
  /** The only environment it gets besides PATH, HOME, LANG, TZ and IBGW_NOTIFICATION_*. */
  env: Type.Optional(Type.Record(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }), StringOrSecret)),
  timeoutMs: Type.Optional(Type.Integer({ minimum: 100 })),
}, closed);

export type WebhookChannel = Static<typeof WebhookChannel>;
export type EmailChannel = Static<typeof EmailChannel>;
export type CommandChannel = Static<typeof CommandChannel>;
export type ChannelConfig = WebhookChannel | EmailChannel | CommandChannel;

const CHANNEL_KINDS = { webhook: WebhookChannel, email: EmailChannel, command: CommandChannel };

/**
 * Dispatched on `type` with if/then rather than a union: ajv reports a union's failure once
 * per branch ("url: unknown key" for a webhook, from the email branch); this way only the
 * schema of the named type speaks, and an unknown type is "must be one of …".
 */
export const Channel = Type.Unsafe<ChannelConfig>({
  type: 'object',
  required: ['name', 'type'],
  properties: { type: { type: 'string', enum: Object.keys(CHANNEL_KINDS) } },
  allOf: Object.entries(CHANNEL_KINDS).map(([kind, schema]) => ({
    if: { type: 'object', required: ['type'], properties: { type: { const: kind } } },
    then: schema,
  })),
});

const Scalar = Type.Union([Type.String(), Type.Number(), Type.Boolean()]);
/** data fields the event must carry: a value, or a list of accepted values. */
const Where = Type.Record(Type.String({ minLength: 1 }), Type.Union([Scalar, Type.Array(Scalar, { minItems: 1 })]));
const EventPatterns = Type.Array(Type.String({ pattern: '^[a-z0-9*][a-z0-9.*-]*$' }), { minItems: 1 });
const Level = OneOf(['info', 'warn', 'error'] as const);

export const PRESET_NAMES = [
  'gateway-fatal', 'gateway-crash-loop', 'session-needs-login', 'login-rejected', 'login-budget',
  'api-auth-burst', 'tls-expiry', 'maintenance', 'update-available', 'unclean-start',
] as const;
export type PresetName = typeof PRESET_NAMES[number];

/**
 * A rule: which events make a notification, to which channels, how often. `preset` starts
 * from one of the built-in rules (the defaults) and the other keys override it; without a
 * preset, `events` is required.
 */
export const Rule = Type.Object({
  name: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$' })),
  preset: Type.Optional(OneOf(PRESET_NAMES)),
  /** Event types; `*` matches any run of characters ('maintenance.*'). */
  events: Type.Optional(EventPatterns),
  minLevel: Type.Optional(Level),
  where: Type.Optional(Where),
  /** Channel names; absent: every channel. */
  channels: Type.Optional(Type.Array(channelName, { minItems: 1 })),
  /** Notify only once `count` matching events happened within `withinMinutes`. */
  count: Type.Optional(Type.Integer({ minimum: 1 })),
  withinMinutes: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
  /** Notify only if the condition is still there (not cleared) after this long. */
  forMinutes: Type.Optional(Type.Number({ minimum: 0 })),
  /** Events that end the condition; a recovery message follows when one was sent. */
  clearedBy: Type.Optional(Type.Object({ events: EventPatterns, where: Type.Optional(Where) }, closed)),
  /** Recovery text; `{duration}` becomes "4 min". */
  recoveryMessage: Type.Optional(Type.String({ minLength: 1 })),
  dedupeMinutes: Type.Optional(Type.Number({ minimum: 0 })),
}, closed);
export type RuleConfig = Static<typeof Rule>;

export const NotificationsConfig = Type.Object({
  channels: Type.Array(Channel),
  /** Empty: the built-in defaults (every preset) to every channel. */
  rules: Type.Array(Rule),
  /** For every channel without its own; null: never quiet. */
  quietHours: Nullable(QuietHours),
  /** The same condition again within this window is counted, then summarised once. */
  dedupeMinutes: Type.Number({ minimum: 0 }),
  /** The session-needs-login preset waits this long for a login before notifying. */
  needsLoginMinutes: Type.Number({ minimum: 0 }),
  /** One delivery attempt: HTTP request, SMTP conversation, command run. */
  timeoutMs: Type.Integer({ minimum: 100 }),
  retry: Type.Object({
    /** Attempts before a delivery counts as failed for good (notify.failed). */
    maxAttempts: Type.Integer({ minimum: 1 }),
    backoff: Type.Object({
      initialMs: Type.Integer({ minimum: 1 }),
      maxMs: Type.Integer({ minimum: 1 }),
      factor: Type.Number({ minimum: 1 }),
      jitter: Type.Number({ minimum: 0, maximum: 1 }),
    }, closed),
  }, closed),
  /** Finished deliveries kept for status (the outbox in the store). */
  keepDeliveries: Type.Integer({ minimum: 1 }),
}, closed);
export type NotificationsConfig = Static<typeof NotificationsConfig>;

/** Relations between keys that a schema cannot say; `null` when the section is consistent. */
export function notificationsProblem(section: NotificationsConfig): { key: string; message: string } | null {
  const names = new Set<string>();
  for (const [i, channel] of section.channels.entries()) {
    if (names.has(channel.name)) return { key: `notifications.channels.${i}.name`, message: `duplicate channel name "${channel.name}"` };
    names.add(channel.name);
    if (channel.type === 'email' && channel.password && !channel.username) {
      return { key: `notifications.channels.${i}.username`, message: 'required when a password is set' };
    }
  }
  for (const [i, rule] of section.rules.entries()) {
    if (!rule.preset && !rule.events) return { key: `notifications.rules.${i}.events`, message: 'required unless the rule names a preset' };
    const unknown = rule.channels?.find((c) => !names.has(c));
    if (unknown) return { key: `notifications.rules.${i}.channels`, message: `no channel named "${unknown}"` };
  }
  const b = section.retry.backoff;
  if (b.maxMs < b.initialMs) return { key: 'notifications.retry.backoff.maxMs', message: `must be >= initialMs (${b.initialMs})` };
  return null;
}
