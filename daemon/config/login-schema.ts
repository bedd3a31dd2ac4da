/**
 * The `login` config section: the browser, the waits, and everything about IBKR's page that
 * IBKR may change without notice — element selectors, the second-factor device names and the
 * error texts the driver recognises. IBeam users had to patch element ids by hand when IBKR
 * changed its page; here each one is a config key with today's value as the default.
 *
 * One TypeBox schema with its defaults; config/default.yaml states the same values for people to
 * read (a test keeps the two equal). Only `@sinclair/typebox` is imported, so the
 * daemon's config can embed this schema at start without loading anything heavy.
 */
import { Type, type Static } from '@sinclair/typebox';

const css = (value: string) => Type.String({ minLength: 1, default: value });
const ms = (value: number, minimum = 1) => Type.Integer({ minimum, default: value });
const texts = (values: string[]) => Type.Array(Type.String({ minLength: 1 }), { default: values });

export const LoginSelectorsSchema = Type.Object(
  {
    username: css('#xyz-field-username'),
    password: css('#xyz-field-password'),
    /** The paper/live switch: an invisible checkbox, flipped by clicking its label. */
    paperSwitch: css('#toggle1'),
    paperSwitchLabel: css('label[for="toggle1"]'),
    submit: css('form.xyzform-username button[type="submit"]'),
    /** The second-factor device select (shown when several devices are set up). */
    secondFactorSelect: css('select.xyz-multipleselect'),
    codeInput: css('#xyz-field-silver-response'),
    codeSubmit: css('form.xyzform-silver button[type="submit"]'),
    /** The "check your phone" step of an IB Key push. */
    pushNotification: css('.login-step-notification, .xyzblock-manualibkey'),
    error: css('.xyzblock.xyzblock-error, .xyz-errormessage, .invalid-feedback'),
    loading: css('.xyzblock.xyzblock-loading'),
  },
  { additionalProperties: false },
);

/**
 * Case-insensitive fragments of the page's error texts, by what they mean. The first list that
 * matches wins, in this order: locked, denied, expired, codeRejected, rejected. A text no list
 * knows makes a plain failure that names it (so retries stay within the budget).
 */
export const LoginErrorTextsSchema = Type.Object(
  {
    locked: texts(['locked']),
    denied: texts(['denied', 'declined', 'rejected on your device']),
    expired: texts(['expired', 'timed out', 'timeout']),
    codeRejected: texts(['invalid security code', 'invalid code', 'incorrect code']),
    rejected: texts(['invalid username password combination', 'invalid username or password', 'invalid credentials']),
  },
  { additionalProperties: false },
);

export const LoginConfigSchema = Type.Object(
  {
    /** Debian's package `chromium`; never a downloaded browser. */
    chromiumPath: Type.String({ minLength: 1, default: '/usr/bin/chromium' }),
    /** Extra Chromium switches, after the driver's own. */
    chromiumArgs: Type.Array(Type.String({ minLength: 1 }), { default: [] }),
    /** How long an IB Key push may wait for the approval (IBKR's own window is ~3 min). */
    pushTimeoutMs: ms(180_000, 1000),
    /** Screenshots of failed attempts kept in <dataDir>/login/ (password field emptied); 0 = none. */
    screenshotsKept: Type.Integer({ minimum: 0, maximum: 100, default: 5 }),
    timeouts: Type.Object(
      {
        /** From opening the login URL until the username field is visible (the page renders by script). */
        pageLoadMs: ms(30_000, 100),
        /** After each submit, until the page shows the next step, an error or success. */
        stepMs: ms(30_000, 100),
        /** After `Client login succeeds`, until auth/status says authenticated. */
        authenticatedMs: ms(30_000, 100),
        /** Browser close before its process group is killed. */
        closeMs: ms(5000, 100),
      },
      { additionalProperties: false },
    ),
    selectors: LoginSelectorsSchema,
    /** The page's final words. */
    successText: Type.String({ minLength: 1, default: 'Client login succeeds' }),
    /** The paper/live switch is checked for paper (false: checked means live). */
    paperWhenChecked: Type.Boolean({ default: true }),
    /** The device names in the second-factor select. */
    secondFactorOptions: Type.Object(
      {
        push: Type.String({ minLength: 1, default: 'IB Key' }),
        totp: Type.String({ minLength: 1, default: 'Mobile Authenticator App' }),
      },
      { additionalProperties: false },
    ),
    errorTexts: LoginErrorTextsSchema,
  },
  { additionalProperties: false },
);

export type LoginConfig = Static<typeof LoginConfigSchema>;
export type LoginSelectors = Static<typeof LoginSelectorsSchema>;
export type LoginErrorTexts = Static<typeof LoginErrorTextsSchema>;
