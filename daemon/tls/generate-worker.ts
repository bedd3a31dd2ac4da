/**
 * The helper process of generate-process.ts: LocalTlsOptions as JSON on stdin (`now` as an ISO
 * time), the LocalTls made from them as JSON on stdout, then it exits. A failure: its message on
 * stderr, exit status 1.
 */
import { text } from 'node:stream/consumers';
import { generateLocalTls } from './generate.js';

try {
  const raw = JSON.parse(await text(process.stdin)) as Record<string, unknown>;
  const tls = await generateLocalTls({ ...raw, now: typeof raw.now === 'string' ? new Date(raw.now) : undefined } as Parameters<typeof generateLocalTls>[0]);
  process.stdout.write(JSON.stringify(tls));
} catch (err) {
  process.stderr.write(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
}
