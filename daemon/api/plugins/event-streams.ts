import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { EventStreamHub, type StreamLimits } from '../event-stream.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The live event streams (SSE) open to apps; the route writes to it, /metrics reads it. */
    eventStreams: EventStreamHub;
  }
}

export const DEFAULT_STREAM_LIMITS: StreamLimits = { maxBufferBytes: 256 * 1024, maxClients: 100, heartbeatMs: 15_000 };

async function eventStreams(app: FastifyInstance, options: { limits?: Partial<StreamLimits> }): Promise<void> {
  const hub = new EventStreamHub(app.eventStore, { ...DEFAULT_STREAM_LIMITS, ...options.limits });
  app.decorate('eventStreams', hub);
  // Open streams would keep the server from closing: end them first.
  app.addHook('preClose', async () => hub.closeAll());
}

export default fp(eventStreams, { name: 'ibgw-event-streams', dependencies: ['ibgw-event-store'], fastify: '5.x' });
