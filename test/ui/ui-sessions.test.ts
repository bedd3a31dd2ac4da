import t from 'tap';
import { csrfMatches, UiSessions } from '../../daemon/api/ui-sessions.js';
import type { ServiceEvent } from '../../daemon/events.js';

const make = (now: { t: number }, events: ServiceEvent[] = [], maxSessions = 3) =>
  new UiSessions({ idleMs: 1000, maxAgeMs: 5000, maxSessions, now: () => now.t, onEvent: (e) => events.push(e) });

t.test('a session holds its token until idle or too old', async (t) => {
  const now = { t: 0 };
  const events: ServiceEvent[] = [];
  const sessions = make(now, events);
  const { id, session } = sessions.create('tok', 'admin', '127.0.0.1');
  t.match(id, /^[A-Za-z0-9_-]{43}$/, '256 random bits');
  t.equal(session.expiresAt, 1000);
  t.equal(sessions.use(id)?.token, 'tok');
  t.equal(sessions.use('not-an-id'), null);
  for (let i = 0; i < 4; i++) {
    now.t += 900;
    t.ok(sessions.use(id), `used within the idle time (${now.t} ms)`);
  }
  now.t = 5000;
  t.equal(sessions.use(id), null, 'never past maxAge, however busy');
  t.equal(sessions.size, 0, 'and forgotten');
  const second = sessions.create('tok', 'admin', '127.0.0.1');
  now.t += 1001;
  t.equal(sessions.use(second.id), null, 'idle too long');
  t.same(events.map((e) => e.type), ['api.ui.sign-in', 'api.ui.sign-in']);
  t.notOk(JSON.stringify(events).includes('tok'), 'no token in events');
});

t.test('bounded: the least recently used session goes first', async (t) => {
  const now = { t: 0 };
  const sessions = make(now, [], 2);
  const a = sessions.create('a', 'admin', 'x');
  const b = sessions.create('b', 'admin', 'x');
  sessions.use(a.id);
  const c = sessions.create('c', 'read', 'x');
  t.ok(sessions.use(a.id), 'a was used last: kept');
  t.equal(sessions.use(b.id), null, 'b dropped');
  t.ok(sessions.use(c.id));
  t.equal(sessions.size, 2);
});

t.test('sign-out ends a session; CSRF compares exactly', async (t) => {
  const now = { t: 0 };
  const events: ServiceEvent[] = [];
  const sessions = make(now, events);
  const a = sessions.create('a', 'admin', '10.0.0.1');
  const b = sessions.create('b', 'admin', '10.0.0.2');
  t.ok(sessions.remove(a.id));
  t.notOk(sessions.remove(a.id), 'once');
  t.equal(sessions.use(a.id), null);
  t.ok(sessions.use(b.id), 'the other session stays');
  t.match(events.filter((e) => e.type === 'api.ui.sign-out'), [{ data: { address: '10.0.0.1', role: 'admin' } }]);
  t.ok(csrfMatches(a.session.csrf, a.session.csrf));
  t.notOk(csrfMatches(undefined, a.session.csrf));
  t.notOk(csrfMatches(`${a.session.csrf}x`, a.session.csrf));
  t.notOk(csrfMatches('', a.session.csrf));
});
