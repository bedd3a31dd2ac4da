/**
 * The admin UI's files (admin-ui/, built into dist/admin-ui with its vendored libraries),
 * under /ui/, with / sending a browser there.
 *
 * Built on first use: @fastify/static and @fastify/helmet cost memory an idle daemon would pay
 * for pages that are rarely open, so they live in a small Fastify instance of their own made by
 * the first request to /ui/ (Fastify cannot add routes once it listens), which the API hands
 * the raw request. The UI then speaks only to the public API, like any client.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifySchema } from 'fastify';
import fp from 'fastify-plugin';
import { ERR_NOT_FOUND } from '../../errors.js';

export interface AdminUiOptions {
  /** The folder holding index.html. */
  root: string;
}

export const UI_PREFIX = '/ui/';

/**
 * Nothing inline, nothing from elsewhere: scripts, styles, images and fetches only from the
 * daemon itself. Styles set through the DOM (Preact's style props, uPlot's sizes) are not
 * covered by style-src, so no 'unsafe-inline' is needed.
 */
export const UI_CSP = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'connect-src': ["'self'"],
  'font-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
};

async function buildFiles(root: string): Promise<FastifyInstance> {
  const [{ default: helmet }, { default: files }] = await Promise.all([import('@fastify/helmet'), import('@fastify/static')]);
  const sub = Fastify({ logger: false });
  await sub.register(helmet, {
    // useDefaults off: helmet's defaults allow inline styles and upgrade requests to https,
    // which a daemon on plain http over loopback must not ask for; no HSTS for the same reason.
    contentSecurityPolicy: { useDefaults: false, directives: UI_CSP },
    hsts: false,
    crossOriginEmbedderPolicy: true,
  });
  await sub.register(files, { root, prefix: UI_PREFIX, index: ['index.html'], redirect: false, cacheControl: true, maxAge: 0 });
  sub.setNotFoundHandler((request, reply) => {
    const err = ERR_NOT_FOUND(request.method, request.url.split('?')[0]);
    return reply.status(404).send({ code: err.code, message: err.message });
  });
  await sub.ready();
  return sub;
}

async function adminUi(app: FastifyInstance, options: AdminUiOptions): Promise<void> {
  let built: Promise<FastifyInstance> | null = null;
  app.addHook('onClose', async () => { if (built) await (await built.catch(() => null))?.close(); });

  const serve = async (request: FastifyRequest, reply: FastifyReply) => {
    built ??= buildFiles(options.root).catch((err: Error) => { built = null; throw err; });
    const sub = await built;
    reply.hijack();
    sub.routing(request.raw, reply.raw);
  };
  const toUi = async (_request: FastifyRequest, reply: FastifyReply) => reply.redirect(UI_PREFIX, 302);
  // Kept out of the OpenAPI document: pages, not API.
  const hide = { schema: { hide: true } as FastifySchema };
  app.get('/', hide, toUi);
  app.get('/ui', hide, toUi);
  app.get(`${UI_PREFIX}*`, hide, serve);
}

export default fp(adminUi, { name: 'ibgw-admin-ui', fastify: '5.x' });
