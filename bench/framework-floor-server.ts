/**
 * The framework floor for `POST /api/me/activity`: Fastify with what ReadPulse's route declares
 * (the same body and response schemas, JSON body parsing, a bearer header required) and nothing
 * of ReadPulse's own (no session lookup, database, live stream, metrics or request log). Between
 * the bare node:http ceiling and ReadPulse it separates what the framework costs from what our
 * request path costs. bench/run.ts starts it pinned to the server's core, on the ceiling's port + 1.
 *
 *   node --import tsx bench/framework-floor-server.ts PORT [HOST]
 */
import Fastify from 'fastify';
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ActionTypeSchema, ActivityEventSchema, MetadataSchema } from '../src/http/schemas.js';

const port = Number(process.argv[2] ?? '8082');
const host = process.argv[3] ?? '127.0.0.1';
let nextId = 1;

const app = Fastify({ logger: false, ajv: { customOptions: { removeAdditional: false } } }).withTypeProvider<TypeBoxTypeProvider>();

app.post(
  '/api/me/activity',
  {
    schema: {
      body: Type.Object({ actionType: ActionTypeSchema, metadata: Type.Optional(MetadataSchema) }, { additionalProperties: false }),
      response: { 201: Type.Object({ event: ActivityEventSchema }), 401: Type.Object({ code: Type.String() }) },
    },
  },
  async (request, reply) => {
    if (!request.headers.authorization?.startsWith('Bearer ')) return reply.code(401).send({ code: 'unauthenticated' });
    return reply.code(201).send({
      event: { id: nextId++, actionType: request.body.actionType, metadata: request.body.metadata ?? null, createdAt: new Date().toISOString() },
    });
  },
);
app.get('/', (_request, reply) => reply.send('ok'));

app.server.keepAliveTimeout = 65_000;
await app.listen({ port, host });
process.stdout.write(`framework floor server listening on http://${host}:${port}\n`);

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    void app.close().then(() => process.exit(0));
    app.server.closeAllConnections();
  });
}
