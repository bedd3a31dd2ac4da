/**
 * The simulator's RFC 6238 check: the RFC's own test vectors (SHA-1), the ±1 step window, and
 * agreement with otpauth — the library the daemon's login driver generates codes with — so the
 * two independent implementations are known to meet.
 */
import t from 'tap';
import { base32Decode, totpAt, verifyTotp } from '../../scripts/sim/totp.js';

// RFC 6238 appendix B: the ASCII secret "12345678901234567890", 8-digit codes (we use the last 6).
const SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const VECTORS: Array<[number, string]> = [
  [59, '94287082'], [1111111109, '07081804'], [1111111111, '14050471'],
  [1234567890, '89005924'], [2000000000, '69279037'], [20000000000, '65353130'],
];

t.test('base32 and the RFC 6238 vectors', async (t) => {
  t.equal(base32Decode(SECRET).toString('ascii'), '12345678901234567890');
  t.equal(base32Decode(SECRET.toLowerCase() + '====').toString('ascii'), '12345678901234567890', 'case and padding do not matter');
  t.throws(() => base32Decode('ABC1'), /not base32/);
  for (const [seconds, code] of VECTORS) t.equal(totpAt(SECRET, seconds * 1000), code.slice(2), `T=${seconds}`);
});

t.test('one step of drift either way, no more', async (t) => {
  const now = 1_700_000_015_000; // mid-step
  const code = totpAt(SECRET, now);
  t.ok(verifyTotp(SECRET, code, now));
  t.ok(verifyTotp(SECRET, code, now + 30_000), 'the next step still accepts it');
  t.ok(verifyTotp(SECRET, code, now - 30_000), 'and the previous one');
  t.notOk(verifyTotp(SECRET, code, now + 60_000), 'two steps later it is refused');
  t.notOk(verifyTotp(SECRET, code, now - 60_000));
  t.notOk(verifyTotp(SECRET, '12345', now), 'six digits only');
  t.notOk(verifyTotp(SECRET, 'abcdef', now));
});

t.test('otpauth (the driver\'s library) produces codes the simulator accepts', async (t) => {
  const { TOTP, Secret } = await import('otpauth');
  const totp = new TOTP({ secret: Secret.fromBase32(SECRET), algorithm: 'SHA1', digits: 6, period: 30 });
  for (const [seconds] of VECTORS) t.equal(totp.generate({ timestamp: seconds * 1000 }), totpAt(SECRET, seconds * 1000), `T=${seconds}`);
});
