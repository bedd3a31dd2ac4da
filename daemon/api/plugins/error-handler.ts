import type { FastifyError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { ERR_NOT_FOUND, isIbgwError } from '../../errors.js';

/**
 * Every answer that is not a success is JSON `{code, message}`. Client mistakes (schema
 * validation, bad JSON, wrong content type, unknown route) are 4xx with a stable code;
 * only a real fault of the daemon is a 5xx, and its message does not leak internals.
 */
async function errorHandler(app: FastifyInstance): Promise<void> {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (isIbgwError(err)) {
      const body: Record<string, unknown> = { code: err.code, message: err.message };
      if (err.details) body.details = err.details;
      if (err.statusCode >= 500) request.log.error({ err }, 'request failed');
      return reply.status(err.statusCode).send(body);
    }
    if (err.validation) {
      // ajv's "must NOT have additional properties" does not say which one; the person needs the name.
      const extra = (err.validation[0]?.params as { additionalProperty?: string } | undefined)?.additionalProperty;
      const message = `${err.validationContext ?? 'request'}${err.message.replace(/^(body|querystring|params|headers)/, '')}${extra ? `: ${extra}` : ''}`;
      return reply.status(400).send({ code: 'IBGW_BAD_REQUEST', message });
    }
    const status = err.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      // Fastify's own client errors (FST_ERR_CTP_INVALID_MEDIA_TYPE, bad JSON, body too large …).
      return reply.status(status).send({ code: err.code ? `IBGW_${err.code.replace(/^FST_ERR_/, '')}` : 'IBGW_BAD_REQUEST', message: err.message });
    }
    request.log.error({ err }, 'unexpected error');
    return reply.status(500).send({ code: 'IBGW_INTERNAL', message: 'internal error (see the daemon log)' });
  });

  app.setNotFoundHandler((request, reply) => {
    const err = ERR_NOT_FOUND(request.method, request.url.split('?')[0]);
    return reply.status(404).send({ code: err.code, message: err.message });
  });
}

export default fp(errorHandler, { name: 'ibgw-error-handler' });
