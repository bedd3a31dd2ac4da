import type { FastifyError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import {
  ERR_BAD_JSON, ERR_BAD_REQUEST, ERR_BODY_TOO_LARGE, ERR_INTERNAL, ERR_NOT_FOUND, ERR_UNSUPPORTED_MEDIA_TYPE, isIbgwError, type IbgwError,
} from '../../errors.js';

/** Fastify's own client errors, each turned into the catalog's error for it. */
function fromFastify(err: FastifyError, bodyLimit: number): IbgwError {
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE': return ERR_BODY_TOO_LARGE(bodyLimit);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE': return ERR_UNSUPPORTED_MEDIA_TYPE(err.message.replace(/^Unsupported Media Type:?\s*/i, '') || 'of the body');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY': return ERR_BAD_JSON(err.message);
    default:
      // JSON.parse's SyntaxError carries status 400 and no code.
      if (err instanceof SyntaxError) return ERR_BAD_JSON(err.message);
      return ERR_BAD_REQUEST(err.message);
  }
}

/**
 * Every answer that is not a success is JSON `{code, message}` with a code from the one
 * catalog (daemon/errors.ts). Client mistakes (schema validation, bad JSON, wrong content
 * type, too large a body, unknown route) are 4xx; only a real fault of the daemon is a 500,
 * and its message does not leak internals. A `retryAfter` detail becomes a Retry-After header.
 */
async function errorHandler(app: FastifyInstance): Promise<void> {
  app.setErrorHandler((raw: FastifyError, request, reply) => {
    let err: IbgwError;
    if (isIbgwError(raw)) err = raw;
    else if (raw.validation) err = ERR_BAD_REQUEST(`${raw.validationContext ?? 'request'}${raw.message.replace(/^(body|querystring|params|headers)/, '')}`);
    else if ((raw.statusCode ?? 500) >= 400 && (raw.statusCode ?? 500) < 500) err = fromFastify(raw, request.routeOptions.bodyLimit ?? app.initialConfig.bodyLimit ?? 0);
    else {
      request.log.error({ err: raw }, 'unexpected error');
      err = ERR_INTERNAL();
    }
    // A daemon fault is logged; 502-504 describe the gateway's state (already events) and would flood the log.
    if (err === raw && err.statusCode === 500) request.log.error({ err }, 'request failed');
    const body: Record<string, unknown> = { code: err.code, message: err.message };
    if (err.details) body.details = err.details;
    const retryAfter = err.details?.retryAfter;
    if (typeof retryAfter === 'number' && retryAfter > 0) reply.header('retry-after', String(Math.ceil(retryAfter)));
    return reply.status(err.statusCode).send(body);
  });

  app.setNotFoundHandler((request, reply) => {
    const err = ERR_NOT_FOUND(request.method, request.url.split('?')[0]);
    return reply.status(404).send({ code: err.code, message: err.message });
  });
}

export default fp(errorHandler, { name: 'ibgw-error-handler' });
