import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { routePlugin } from '../route-plugin.js';
import { BODY_LIMIT, gatewayErrorResponses } from '../schemas.js';

const PREFIX = '/api/v1/ibkr';

const params = {
  type: 'object',
  properties: { '*': { type: 'string', maxLength: 1100, description: 'path below the gateway\'s /v1/api, e.g. portfolio/accounts' } },
} as const;

const passedOn = { description: 'The gateway\'s answer, status and body as IBKR gave them. Headers: x-ibgw-cache (hit, miss, coalesced, bypass), server-timing (queue, upstream, total ms)' };

/**
 * `/api/v1/ibkr/*` → the gateway's `/v1/api/*` (`/api/v1/gateway/…` is the daemon's control of
 * the gateway process, not this). GET needs scope read; anything else scope trade and
 * api.passThrough.allowTrading. Pacing, cache and the gate live behind app.ibkr (daemon/ibkr).
 */
async function ibkrRoutes(app: FastifyInstance): Promise<void> {
  const forward = async (request: FastifyRequest, reply: FastifyReply) => {
    // The raw URL, not the decoded parameter: gateway-path.ts decodes it once, its own way.
    const target = request.url.slice(PREFIX.length);
    const abort = new AbortController();
    reply.raw.once('close', () => { if (!reply.raw.writableFinished) abort.abort(); });
    const hasBody = request.body !== undefined && request.body !== null;
    const answer = await app.ibkr.forward({
      method: request.method,
      target,
      body: hasBody ? Buffer.from(JSON.stringify(request.body)) : undefined,
      contentType: hasBody ? 'application/json' : undefined,
      signal: abort.signal,
    });
    // Server-Timing: where an app's wait went (the pacing queue, the gateway, the daemon in all).
    const timing = `queue;dur=${answer.queuedMs.toFixed(1)}, upstream;dur=${answer.upstreamMs.toFixed(1)}, total;dur=${reply.elapsedTime.toFixed(1)}`;
    return reply
      .status(answer.status)
      .header('content-type', answer.contentType ?? 'application/octet-stream')
      .header('x-ibgw-cache', answer.source)
      .header('server-timing', timing)
      .send(answer.body);
  };

  app.get(`${PREFIX}/*`, {
    preHandler: app.requireScope('read'),
    schema: {
      summary: 'Pass a read-only call to the gateway\'s /v1/api (paced, cached)',
      description: 'Queued under IBKR\'s pacing for all apps together; 429 with Retry-After when the wait would exceed api.passThrough.queue.maxWaitMs; 503 with Retry-After while the gateway is down, logged out, in maintenance or in IBKR\'s penalty box; IBKR\'s own failure outside maintenance handed on as 502 (IBGW_IBKR_UPSTREAM, IBGW_GATEWAY_NETWORK) or 504 (IBGW_GATEWAY_TIMEOUT).',
      params,
      response: { 200: passedOn, ...gatewayErrorResponses },
    },
  }, forward);

  app.route({
    method: ['POST', 'PUT', 'DELETE', 'PATCH'],
    url: `${PREFIX}/*`,
    preHandler: app.requireScope('trade'),
    bodyLimit: BODY_LIMIT,
    schema: {
      summary: 'Pass a trading call to the gateway (only with api.passThrough.allowTrading: true)',
      params,
      response: { 200: passedOn, ...gatewayErrorResponses },
    },
    handler: forward,
  });
}

export default routePlugin(ibkrRoutes, 'ibgw-ibkr-routes', ['ibgw-ibkr', 'ibgw-scopes']);
