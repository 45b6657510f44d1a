import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ACTIVITY_MODES, type ActivityMode, type StreamFilter } from '../../live/stream-filter.js';
import { eventFrame } from '../live-frames.js';
import { pumpStream } from '../live-stream-writer.js';
import { OpenStreams } from '../open-streams.js';
import { requireAuth } from '../request-context.js';
import type { Accounts } from '../../auth/accounts.js';
import type { RouteDeps } from '../route-deps.js';
import { problemResponses } from '../route-docs.js';
import { rowId } from '../schemas.js';
import { securityHeadersFor } from '../security-headers.js';

/** A comment line goes out at least this often, so proxies keep an idle stream open. */
export const DEFAULT_KEEP_ALIVE_MS = 15_000;

export interface StreamRouteOptions extends RouteDeps {
  /** Whether a stream's session still holds, and word of sessions that ended (here or on another instance). */
  readonly accounts: Pick<Accounts, 'sessionValid' | 'onSessionsEnded'>;
  /** Milliseconds between keep-alive comments; DEFAULT_KEEP_ALIVE_MS when absent. */
  readonly keepAliveMs?: number | undefined;
}

const StreamQuerySchema = Type.Object({
  activity: Type.Optional(
    Type.Union(
      ACTIVITY_MODES.map((mode: ActivityMode) => Type.Literal(mode)),
      { description: 'all (default): every activity event; latest: at most one per reader per second, the newest; none' },
    ),
  ),
  reader: Type.Optional(rowId({ description: 'Only events about this reader' })),
  cohort: Type.Optional(rowId({ description: "Only events about this cohort's readers" })),
});

/**
 * The consultants' live stream (Server-Sent Events): a snapshot of the live view, then presence,
 * milestone and activity events as they happen. A client that reconnects with Last-Event-ID gets
 * the events it missed, or a fresh snapshot when they are no longer kept.
 */
export const streamRoutes: FastifyPluginAsyncTypebox<StreamRouteOptions> = async (app, options) => {
  const { hub, liveDashboard, accounts, accessRecorder } = options;
  const keepAliveMs = options.keepAliveMs ?? DEFAULT_KEEP_ALIVE_MS;
  const openStreams = new OpenStreams({
    clock: options.clock,
    // READPULSE_RATE_LIMITS=off lifts this limit with the others (load tests hold many streams per user).
    perUser: options.config.rateLimits.enabled ? options.config.streamsPerUser : Number.POSITIVE_INFINITY,
    sessionValid: (tokenHash) => accounts.sessionValid(tokenHash),
    onCheckFailed: (error) => app.log.warn({ err: error }, 'could not check a live stream\'s session; the stream ends'),
  });
  // A session's end (sign-out, password change, deletion, here or on another instance) ends its streams.
  accounts.onSessionsEnded((ended) => openStreams.sessionsEnded(ended));

  // preClose, not onClose: the server only closes once every connection is done, and an open
  // stream never is, so the streams must end before Fastify starts waiting for them.
  app.addHook('preClose', async () => {
    openStreams.endAll();
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
          '{readerId, event} and `event: attention` {item}, each with an `id:`. Reconnect with Last-Event-ID to get the events missed, or a fresh ' +
          'snapshot when they are no longer kept. A `: keep-alive` comment comes at least every 15 s. ' +
          'Narrow it with `activity=all|latest|none` (every activity event, at most one per reader per second ' +
          '(the newest), or none; presence and milestone events always come) and `reader=ID` (only events about ' +
          'that reader; 404 if there is no such reader; recorded in that reader\'s access log as a view of their activity) ' +
          'and `cohort=ID` (only events about that cohort\'s readers, its snapshot too; 404 if there is no such cohort). ' +
          'A user holds at most READPULSE_STREAMS_PER_USER (10) streams at once: one more is 429 with Retry-After. ' +
          'The stream ends within 1 s when its session does (sign-out, password change, account deletion, expiry).',
        produces: ['text/event-stream'],
        querystring: StreamQuerySchema,
        headers: Type.Object({ 'last-event-id': Type.Optional(Type.String({ description: 'The id of the last event received' })) }),
        response: {
          200: Type.String({ description: 'An event stream (text/event-stream)' }),
          ...problemResponses(400, 401, 403, 404, 429, 503),
        },
      },
    },
    async (request, reply) => {
      const auth = requireAuth(request);
      const mark = openStreams.mark;
      openStreams.requireRoom(auth.user.id);
      const { cohort } = request.query;
      // An unknown cohort is 404; the member set stays current while the stream is open.
      const members = cohort === undefined ? undefined : await options.rosters.members(cohort);
      const filter: StreamFilter = {
        activity: request.query.activity ?? 'all',
        readerId: request.query.reader,
        ...(members === undefined ? {} : { readerChecks: [(readerId: number) => members.has(readerId)] }),
      };
      // An unknown reader is 404, as on the reader's own routes.
      if (filter.readerId !== undefined) {
        await options.store.readers.getReader(filter.readerId);
        // Watching one reader live is a view of their activity, as reading it is.
        accessRecorder.record(auth.user.id, filter.readerId, 'activity');
      }
      const subscription = hub.subscribe(request.headers['last-event-id'], filter);
      let snapshot = '';
      try {
        if (!subscription.resumed) {
          const view = members === undefined ? await liveDashboard.current() : await liveDashboard.narrowed(members, cohort!);
          snapshot = eventFrame(subscription.startId, 'snapshot', view.body);
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
        ...securityHeadersFor(request),
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
        openStreams.remove(open);
        subscription.unsubscribe();
        if (!raw.writableEnded) raw.end();
      };
      const open = openStreams.add({ userId: auth.user.id, tokenHash: auth.session.tokenHash, expiresAt: auth.session.expiresAt, end }, mark);
      const keepAlive = setInterval(() => raw.write(': keep-alive\n\n'), keepAliveMs);
      keepAlive.unref();
      raw.on('close', end);
      subscription.onEnd((reason) => {
        if (reason !== 'overflow') return end();
        // The client stopped reading: drop it instead of buffering for it. It reconnects with
        // Last-Event-ID and resumes, or gets a snapshot.
        request.log.warn({ maxQueuedBytes: hub.maxQueuedBytes }, 'live stream subscriber fell behind; disconnected');
        ended = true;
        clearInterval(keepAlive);
        openStreams.remove(open);
        raw.destroy();
      });

      if (open.verifying) await open.verifying;
      if (snapshot !== '' && !ended) raw.write(snapshot);
      await pumpStream(subscription, raw, () => ended, () => open.verifying);
      return reply;
    },
  );
};
