import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';

/**
 * The Swagger UI, built on first use. @fastify/swagger-ui and @fastify/static (and the UI's
 * assets, streamed from disk) cost memory every idle daemon would pay for a page that is
 * rarely opened, so the UI lives in a small Fastify instance of its own, created by the first
 * request to /api/docs; the API hands it the raw request. Fastify cannot add routes once it
 * listens, hence a second instance rather than late routes.
 */
export function docsUi(app: FastifyInstance, options: { path: string }): void {
  let ui: Promise<FastifyInstance> | null = null;
  const build = async (): Promise<FastifyInstance> => {
    const [{ default: swagger }, { default: swaggerUi }] = await Promise.all([import('@fastify/swagger'), import('@fastify/swagger-ui')]);
    const sub = Fastify({ logger: false });
    // The UI reads ./json, which the API itself answers; this copy only satisfies the plugin.
    await sub.register(swagger, { mode: 'static', specification: { document: app.swagger() as never } });
    await sub.register(swaggerUi, { routePrefix: options.path, uiConfig: { deepLinking: true } });
    await sub.ready();
    return sub;
  };
  app.addHook('onClose', async () => { if (ui) await (await ui.catch(() => null))?.close(); });

  const serve = async (request: FastifyRequest, reply: FastifyReply) => {
    ui ??= build().catch((err: Error) => { ui = null; throw err; });
    const sub = await ui;
    reply.hijack();
    sub.routing(request.raw, reply.raw);
  };
  app.get(options.path, { schema: { hide: true } }, serve);
  app.get(`${options.path}/*`, { schema: { hide: true } }, serve);
}
