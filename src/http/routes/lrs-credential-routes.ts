import { Type, type Static } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { LrsCredential } from '../../domain/index.js';
import { createLrsCredential } from '../../xapi/lrs-credentials.js';
import type { RouteDeps } from '../route-deps.js';
import { NoContent, problemResponses } from '../route-docs.js';
import { IsoTime, rowId } from '../schemas.js';

const LrsCredentialSchema = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  key: Type.String({ description: 'The HTTP Basic user name for /xapi.' }),
  createdAt: IsoTime,
});
export type LrsCredentialDto = Static<typeof LrsCredentialSchema>;

const toDto = (credential: LrsCredential) => ({ ...credential, createdAt: new Date(credential.createdAt).toISOString() });

/** LRS credentials: the keys and secrets content players use to send xAPI statements to /xapi. */
export const lrsCredentialRoutes: FastifyPluginAsyncTypebox<RouteDeps> = async (app, { store }) => {
  app.post(
    '/api/lrs-credentials',
    {
      config: { policy: 'consultant' },
      schema: {
        tags: ['xapi'],
        summary: 'Create an LRS credential; the answer holds its secret, shown this once and stored only as a hash',
        body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false }),
        response: { 201: Type.Object({ credential: LrsCredentialSchema, secret: Type.String() }), ...problemResponses(400, 401, 403, 415) },
      },
    },
    async (request, reply) => {
      const { credential, secret } = await createLrsCredential(store.lrsCredentials, request.body.name);
      return reply.code(201).send({ credential: toDto(credential), secret });
    },
  );

  app.get(
    '/api/lrs-credentials',
    {
      config: { policy: 'consultant' },
      schema: {
        tags: ['xapi'],
        summary: 'LRS credentials, newest first (never their secrets)',
        response: { 200: Type.Object({ credentials: Type.Array(LrsCredentialSchema) }), ...problemResponses(401, 403) },
      },
    },
    async () => ({ credentials: (await store.lrsCredentials.listLrsCredentials()).map(toDto) }),
  );

  app.delete(
    '/api/lrs-credentials/:id',
    {
      config: { policy: 'consultant' },
      schema: {
        tags: ['xapi'],
        summary: 'Delete an LRS credential; it stops working at once (what it sent stays)',
        params: Type.Object({ id: rowId() }),
        response: { 204: NoContent, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      await store.lrsCredentials.deleteLrsCredential(request.params.id);
      return reply.code(204).send(null);
    },
  );
};
