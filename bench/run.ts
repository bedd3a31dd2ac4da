/**
 * `npm run bench`: each measurement beside its peer in the same run, with ratios.
 * Sizes are small enough for a 2-core machine (~1-2 minutes in all).
 */
import { benchApi } from './api.js';
import { benchIdle } from './idle.js';
import { benchRestart } from './restart.js';

const pct = (ours: number, base: number) => `${(((ours - base) / base) * 100).toFixed(1)} %`;
const ms = (v: number | null) => (v === null ? 'n/a' : `${v.toFixed(1)} ms`);
const only = new Set(process.argv.slice(2));
const wanted = (name: string) => only.size === 0 || only.has(name);

async function main(): Promise<void> {
  if (wanted('restart')) {
    const r = await benchRestart(21);
    const overOurs = r.oursMs - r.bareMs;
    console.log(`\n== gateway exit → next ready (median of ${r.rounds} rounds, round-robin, same fixture)`);
    console.log(`bare spawn loop   ${ms(r.bareMs)}`);
    console.log(`ibgw-supervisor   ${ms(r.oursMs)}   overhead over bare ${ms(overOurs)} (${pct(r.oursMs, r.bareMs)})   goal ≤ 10 %`);
    if (r.pm2Ms !== null) {
      console.log(`pm2               ${ms(r.pm2Ms)}   overhead over bare ${ms(r.pm2Ms - r.bareMs)} (${pct(r.pm2Ms, r.bareMs)})`);
      console.log(`ratio ours/pm2    ${(r.oursMs / r.pm2Ms).toFixed(2)}   ratio ours/bare ${(r.oursMs / r.bareMs).toFixed(2)}`);
    }
  }
  if (wanted('idle')) {
    const i = await benchIdle(8);
    console.log('\n== idle footprint while supervising (median of 1 s samples)');
    console.log(`ibgw-supervisor daemon  RSS ${i.oursRssMb.toFixed(1)} MB (goal ≤ 70 MB)   CPU ${i.oursCpuPct.toFixed(2)} %`);
    if (i.pm2RssMb !== null) {
      console.log(`pm2 God daemon          RSS ${i.pm2RssMb.toFixed(1)} MB   CPU ${i.pm2CpuPct!.toFixed(2)} %`);
      console.log(`ratio RSS ours/pm2      ${(i.oursRssMb / i.pm2RssMb).toFixed(2)}`);
    }
  }
  if (wanted('api')) {
    const a = await benchApi();
    const x = (n: number) => `${n.toFixed(2)}×`;
    console.log('\n== the API for local apps (daemon as npm start runs it; simulator with IBKR\'s limits off)');
    console.log(`GET /api/v1/status   ${a.statusRps.toFixed(0)} req/s, p99 ${ms(a.statusP99Ms)}   bare Fastify route ${a.bareRps.toFixed(0)} req/s, p99 ${ms(a.bareP99Ms)}   ratio ${x(a.statusRps / a.bareRps)} (median of ${x(a.statusRatioMedian)} per round; goal ≥ 0.7×, p99 ≤ 5 ms)`);
    console.log(`pass-through p50     ${ms(a.daemonP50Ms)} (p95 ${ms(a.daemonP95Ms)})   direct to the gateway ${ms(a.directP50Ms)} (p95 ${ms(a.directP95Ms)})   added ${a.addedP50Ms.toFixed(2)} ms (goal ≤ 1 ms)`);
    console.log(`  inside the daemon  ${a.daemonMissTotalP50Ms.toFixed(2)} ms handling, of which ${a.daemonUpstreamP50Ms.toFixed(2)} ms the gateway call (Server-Timing): ${(a.daemonMissTotalP50Ms - a.daemonUpstreamP50Ms).toFixed(2)} ms of its own; the rest is the app → daemon hop`);
    console.log(`cache hit p50        ${a.cacheHitP50Ms.toFixed(2)} ms   upstream call p50 ${a.upstreamCallP50Ms.toFixed(2)} ms   ${x(a.upstreamCallP50Ms / a.cacheHitP50Ms)} faster end to end (goal ≥ 20×)`);
    console.log(`  inside the daemon  hit ${a.daemonHitTotalP50Ms.toFixed(3)} ms   miss ${a.daemonMissTotalP50Ms.toFixed(3)} ms   ${x(a.daemonMissTotalP50Ms / a.daemonHitTotalP50Ms)} (Server-Timing total: both without the HTTP hop to the app)`);
    console.log(`gateway TLS          kept-alive ${ms(a.directP50Ms)}   new connection per call ${ms(a.freshTlsP50Ms)}   ${x(a.freshTlsP50Ms / a.directP50Ms)}`);
    console.log(`daemon RSS           idle ${a.rssIdleMb.toFixed(1)} MB   after the first /metrics scrape ${a.rssAfterMetricsMb.toFixed(1)} MB   after /api/docs opened ${a.rssAfterDocsMb.toFixed(1)} MB`);
  }
  if (wanted('session')) {
    try {
      // Not a literal specifier: the session bench is optional for the build.
      const specifier = './session.js';
      const mod = (await import(specifier)) as { benchSession?: () => Promise<Record<string, number>> };
      if (mod.benchSession) {
        const s = await mod.benchSession();
        console.log('\n== session recovery (default settings) beside IBeam\'s documented defaults');
        console.log(`hang → restart decision   ${ms(s.hangToRestartMs)}   (goal ≤ 15000 ms)   IBeam ${ms(s.ibeamHangToRestartMs)}   ratio ${(s.hangToRestartMs / s.ibeamHangToRestartMs).toFixed(2)}`);
        console.log(`brokerage lost → authenticated   average ${ms(s.reauthExpectedMs)} (this draw ${ms(s.reauthMs)})   IBeam average ${ms(s.ibeamReauthMs)}   ratio ${(s.reauthExpectedMs / s.ibeamReauthMs).toFixed(2)}`);
        console.log(`detection → authenticated   ${ms(s.reauthDetectToAuthMs)}   (goal ≤ 5000 ms)`);
        const shown = ['hangToRestartMs', 'reauthMs', 'reauthExpectedMs', 'reauthDetectToAuthMs', 'ibeamHangToRestartMs', 'ibeamReauthMs'];
        for (const [k, v] of Object.entries(s)) if (!shown.includes(k)) console.log(`  ${k}: ${typeof v === 'number' ? v.toFixed(1) : v}`);
      }
    } catch (err) {
      console.log(`session bench unavailable: ${(err as Error).message}`);
    }
  }
  if (wanted('login')) {
    const { benchLogin } = await import('./login.js');
    const l = await benchLogin();
    console.log('\n== unattended login: no SSO session → authenticated (median of 5, Chromium start and authDelay 3000 ms included)');
    console.log(`no second factor   ${ms(l.noSecondFactorMedianMs)}   (goal ≤ 6000 ms)`);
    console.log(`TOTP               ${ms(l.totpMedianMs)}   (goal ≤ 6000 ms)`);
    console.log(`IBeam's fixed waits alone (5 s presubmit buffer + 2 s after success)   ${ms(l.ibeamFixedWaitsMs)}`);
    console.log(`daemon-side RSS    before ${l.rssBeforeMb.toFixed(1)} MB   after ${l.rssAfterMb.toFixed(1)} MB   delta ${(l.rssAfterMb - l.rssBeforeMb).toFixed(1)} MB (goal ≤ 2 MB)`);
  }
}

main().then(() => process.exit(0), (err) => {
  console.error(err);
  process.exit(1);
});
