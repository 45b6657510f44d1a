import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ServerResponse } from 'node:http';
import type { LiveEvent, PublishedEvent } from '../../live/event-hub.js';
import { toAttentionItemDto } from '../attention-schemas.js';
import { toActivityEventDto, toMilestoneDto, toUserDto } from '../dto.js';
import type { RouteDeps } from '../route-deps.js';
import { problemResponses } from '../route-docs.js';
import { BASE_SECURITY_HEADERS } from '../security-headers.js';

/** A comment line goes out at least this often, so proxies keep an idle stream open. */
export const DEFAULT_KEEP_ALIVE_MS = 15_000;

export interface StreamRouteOptions extends RouteDeps {
  /** Milliseconds between keep-alive comments; DEFAULT_KEEP_ALIVE_MS when absent. */
  readonly keepAliveMs?: number | undefined;
}

/**
 * The consultants' live stream (Server-Sent Events): a snapshot of the live view, then presence,
 * milestone and activity events as they happen. A client that reconnects with Last-Event-ID gets
 * the events it missed, or a fresh snapshot when they are no longer kept.
 */
export const streamRoutes: FastifyPluginAsyncTypebox<StreamRouteOptions> = async (app, options) => {
  const { hub, liveDashboard } = options;
  const keepAliveMs = options.keepAliveMs ?? DEFAULT_KEEP_ALIVE_MS;
  const openStreams = new Set<() => void>();

  // preClose, not onClose: the server only closes once every connection is done, and an open
  // stream never is, so the streams must end before Fastify starts waiting for them.
  app.addHook('preClose', async () => {
    for (const end of [...openStreams]) end();
  });

  app.get(
    '/api/consultant/dashboard/stream',
    {
      config: { policy: 'consultant' },
      schema: {
        tags: ['dashboard'],
        summary: 'Live events (Server-Sent Events): snapshot, then presence, milestone and activity as they happen',
        description:
          'A text/event-stream. First `event: snapshot` with the body of /api/consultant/dashboard/live, then ' +
          '`event: presence` {reader, online}, `event: milestone` {readerId, milestone} and `event: activity` ' +
          '{readerId, event}, each with an `id:`. Reconnect with Last-Event-ID to get the events missed, or a fresh ' +
          'snapshot when they are no longer kept. A `: keep-alive` comment comes at least every 15 s.',
        produces: ['text/event-stream'],
        headers: Type.Object({ 'last-event-id': Type.Optional(Type.String({ description: 'The id of the last event received' })) }),
        response: {
          200: Type.String({ description: 'An event stream (text/event-stream)' }),
          ...problemResponses(401, 403, 503),
        },
      },
    },
    async (request, reply) => {
      const subscription = hub.subscribe(request.headers['last-event-id']);
      let snapshot = '';
      try {
        if (!subscription.resumed) {
          snapshot = eventFrame(subscription.startId, 'snapshot', (await liveDashboard.current()).body);
        }
      } catch (error) {
        subscription.unsubscribe();
        throw error;
      }

      // From here on the stream is written by hand: onSend hooks no longer run, so the headers
      // they would add (request id, security headers) are set here.
      reply.hijack();
      const raw = reply.raw;
      if (raw.destroyed || request.raw.socket.destroyed) {
        // The client left while the snapshot was being built; 'close' has already been emitted.
        subscription.unsubscribe();
        return reply;
      }
      for (const [name, value] of Object.entries(reply.getHeaders())) {
        if (value !== undefined) raw.setHeader(name, value);
      }
      raw.writeHead(200, {
        ...BASE_SECURITY_HEADERS,
        'x-request-id': request.id,
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        'x-accel-buffering': 'no',
        // A stream's connection is not reused; closing it with the stream lets shutdown finish.
        connection: 'close',
      });
      raw.flushHeaders();

      let ended = false;
      const end = () => {
        if (ended) return;
        ended = true;
        clearInterval(keepAlive);
        openStreams.delete(end);
        subscription.unsubscribe();
        if (!raw.writableEnded) raw.end();
      };
      openStreams.add(end);
      const keepAlive = setInterval(() => raw.write(': keep-alive\n\n'), keepAliveMs);
      keepAlive.unref();
      raw.on('close', end);
      subscription.onEnd((reason) => {
        if (reason !== 'overflow') return end();
        // The client stopped reading: drop it instead of buffering for it. It reconnects with
        // Last-Event-ID and resumes, or gets a snapshot.
        request.log.warn({ queued: hub.maxQueuedEvents }, 'live stream subscriber fell behind; disconnected');
        ended = true;
        clearInterval(keepAlive);
        openStreams.delete(end);
        raw.destroy();
      });

      if (snapshot !== '' && !ended) raw.write(snapshot);
      for (let batch = await subscription.next(); batch !== null && !ended; batch = await subscription.next()) {
        if (!raw.write(batch.map(publishedFrame).join(''))) await drained(raw);
      }
      return reply;
    },
  );
};

/** Serialized frames, one per published event however many streams write it. */
const frames = new WeakMap<PublishedEvent, string>();

function publishedFrame(published: PublishedEvent): string {
  let frame = frames.get(published);
  if (frame === undefined) {
    frame = eventFrame(published.id, published.event.type, liveEventDto(published.event));
    frames.set(published, frame);
  }
  return frame;
}

function eventFrame(id: number, event: string, data: unknown): string {
  // JSON.stringify escapes line breaks, so the data is one `data:` line.
  return `id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** A live event in its wire form (the same DTOs as the JSON routes). */
function liveEventDto(event: LiveEvent): unknown {
  switch (event.type) {
    case 'presence':
      return { reader: toUserDto(event.reader), online: event.online };
    case 'milestone':
      return { readerId: event.readerId, milestone: toMilestoneDto(event.milestone) };
    case 'activity':
      return { readerId: event.readerId, event: toActivityEventDto(event.event) };
    case 'attention':
      return { item: toAttentionItemDto(event.item) };
  }
}

/** Resolves when the response can take more, or is closed. */
function drained(raw: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      raw.off('drain', done);
      raw.off('close', done);
      resolve();
    };
    raw.on('drain', done);
    raw.on('close', done);
  });
}
