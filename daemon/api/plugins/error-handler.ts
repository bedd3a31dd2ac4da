import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import {
  ERR_BAD_REQUEST, ERR_BODY_TOO_LARGE, ERR_INTERNAL, ERR_INVALID_JSON, ERR_NOT_FOUND, ERR_UNSUPPORTED_MEDIA_TYPE,
  isIbgwError, type IbgwError, type IbgwErrorFactory,
} from '../../errors.js';

/**
 * Fastify's own client errors, by Fastify code, as catalog errors: API clients match our
 * stable codes, never Fastify's (which change between majors).
 */
const FASTIFY_CLIENT_ERRORS: Record<string, IbgwErrorFactory> = {
  FST_ERR_CTP_INVALID_JSON_BODY: ERR_INVALID_JSON,
  FST_ERR_CTP_EMPTY_JSON_BODY: ERR_INVALID_JSON,
  FST_ERR_CTP_INVALID_MEDIA_TYPE: ERR_UNSUPPORTED_MEDIA_TYPE,
  FST_ERR_CTP_BODY_TOO_LARGE: ERR_BODY_TOO_LARGE,
};

/** A `retryAfter` detail (seconds) also goes out as the Retry-After header. */
function send(reply: FastifyReply, err: IbgwError, status = err.statusCode): FastifyReply {
  const body: Record<string, unknown> = { code: err.code, message: err.message };
  if (err.details) body.details = err.details;
  const retryAfter = err.details?.retryAfter;
  if (typeof retryAfter === 'number' && retryAfter > 0) reply.header('retry-after', String(Math.ceil(retryAfter)));
  return reply.status(status).send(body);
}

/**
 * Every answer that is not a success is JSON `{code, message}` with a code from the catalog.
 * Client mistakes (schema validation, bad JSON, wrong content type, unknown route) are 4xx;
 * only a real fault of the daemon is a 5xx, and its message does not leak internals.
 */
async function errorHandler(app: FastifyInstance): Promise<void> {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (isIbgwError(err)) {
      // A daemon fault is logged; 502-504 describe the gateway's state (already events) and
      // would flood the log while apps keep asking.
      if (err.statusCode === 500) request.log.error({ err }, 'request failed');
      return send(reply, err);
    }
    if (err.validation) {
      // ajv's "must NOT have additional properties" does not say which one; the person needs the name.
      const extra = (err.validation[0]?.params as { additionalProperty?: string } | undefined)?.additionalProperty;
      return send(reply, ERR_BAD_REQUEST(`${err.validationContext ?? 'request'}${err.message.replace(/^(body|querystring|params|headers)/, '')}${extra ? `: ${extra}` : ''}`));
    }
    const status = err.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const known = err.code ? FASTIFY_CLIENT_ERRORS[err.code] : undefined;
      // Any other client error keeps the status Fastify (or a plugin) chose, under our generic code.
      return known ? send(reply, known(err.message)) : send(reply, ERR_BAD_REQUEST(err.message), status);
    }
    request.log.error({ err }, 'unexpected error');
    return send(reply, ERR_INTERNAL());
  });

  app.setNotFoundHandler((request, reply) => send(reply, ERR_NOT_FOUND(request.method, request.url.split('?')[0])));
}

export default fp(errorHandler, { name: 'ibgw-error-handler' });
