import t from 'tap';
import type { EmailChannel } from '../../daemon/config/notify-schema.js';
import { Notifier } from '../../daemon/notify/index.js';
import { createCertificateAuthority } from '../../daemon/tls/certificate-authority.js';
import { createServerCertificate } from '../../daemon/tls/server-certificate.js';
import { notifyConfig } from '../helpers/notify-config.js';
import { startSmtpReceiver } from '../helpers/notify-receivers.js';
import { waitFor } from '../../testkit/wait-for.js';

const PASSWORD = 'smtp-pa55word-never-logged';
const secrets = async (name: string) => (name === 'smtp' ? PASSWORD : name === 'wrong' ? 'not-the-password' : null);

function mail(name: string, port: number, extra: Partial<EmailChannel> = {}): EmailChannel {
  return { name, type: 'email', host: '127.0.0.1', port, tls: 'none', from: 'ibgw <alerts@example.test>', to: ['ops@example.test', 'oncall@example.test'], ...extra };
}

t.test('SMTP with auth: plain text and a short HTML, the id as Message-ID', async (t) => {
  const rx = await startSmtpReceiver({ user: 'alerts', pass: PASSWORD });
  t.teardown(() => rx.close());
  const n = new Notifier({ config: notifyConfig([mail('mail', rx.port, { username: 'alerts', password: { vault: 'smtp' } })]), secrets });
  await n.start();
  t.teardown(() => n.stop());
  n.handle({ type: 'session.login-blocked', level: 'error', message: 'the login was rejected; automated logins stop until an operator clears the block' });
  await waitFor(() => n.status().recent[0]?.state === 'delivered', 10_000, 'delivered');
  t.equal(rx.mails.length, 1);
  const m = rx.mails[0];
  const id = n.status().recent[0].id;
  t.same(m.to, ['ops@example.test', 'oncall@example.test']);
  t.equal(m.from, 'alerts@example.test');
  t.equal(m.user, 'alerts', 'authenticated');
  t.match(m.headers.subject, /^\[ibgw error\] the login was rejected/);
  t.equal(m.headers['message-id'], `<${id}@ibgw-supervisor>`);
  t.equal(m.headers['x-ibgw-idempotency-key'], id);
  t.equal(m.headers['auto-submitted'], 'auto-generated');
  t.match(m.raw, /Content-Type: text\/plain/);
  t.match(m.raw, /Content-Type: text\/html/);
  t.match(m.raw, /<strong>the login was rejected/);
  t.match(n.status().recent[0], { answer: { status: 250 } });
  t.match(n.status().channels[0], { server: `127.0.0.1:${rx.port}`, tls: 'none', username: 'alerts' });
  t.notOk(JSON.stringify(n.status()).includes(PASSWORD));
});

t.test('STARTTLS: upgraded before AUTH; a certificate that does not verify is a final failure', async (t) => {
  const ca = createCertificateAuthority();
  const cert = createServerCertificate(ca);
  const rx = await startSmtpReceiver({ user: 'alerts', pass: PASSWORD, tls: { key: cert.keyPem, cert: cert.certPem } });
  t.teardown(() => rx.close());
  const n = new Notifier({
    config: notifyConfig([
      mail('private-ca', rx.port, { tls: 'starttls', verifyCertificate: false, username: 'alerts', password: { vault: 'smtp' } }),
      mail('verified', rx.port, { tls: 'starttls', username: 'alerts', password: { vault: 'smtp' } }),
      mail('wrong-password', rx.port, { tls: 'starttls', verifyCertificate: false, username: 'alerts', password: { vault: 'wrong' } }),
    ]),
    secrets,
  });
  await n.start();
  t.teardown(() => n.stop());
  const ok = await n.test('private-ca');
  t.match(ok, { ok: true, answer: { status: 250 } });
  t.equal(rx.mails[0].secure, true, 'the message went over TLS');
  const unverified = await n.test('verified');
  t.match(unverified, { ok: false, error: { code: 'IBGW_NOTIFY_SMTP' } });
  const refused = await n.test('wrong-password');
  t.match(refused, { ok: false, error: { code: 'IBGW_NOTIFY_SMTP' } });
  t.same(rx.authAttempts.map((a) => a.ok), [true, false]);
  t.notOk(JSON.stringify([unverified, refused]).includes('not-the-password'));

  // Through the outbox, a refused login is not retried: retrying only walks toward a lockout.
  n.reconfigure(notifyConfig([mail('wrong-password', rx.port, { tls: 'starttls', verifyCertificate: false, username: 'alerts', password: { vault: 'wrong' } })], { rules: [{ events: ['x.y'] }] }));
  n.handle({ type: 'x.y', level: 'warn', message: 'm' });
  await waitFor(() => n.status().failed.some((d) => d.kind === 'alert'), 10_000, 'failed');
  t.equal(n.status().failed.find((d) => d.kind === 'alert')!.attempts, 1);
  t.equal(rx.authAttempts.length, 3);
});
