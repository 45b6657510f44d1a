import { Ajv } from 'ajv';
import type { FastifyInstance } from 'fastify';

/**
 * Request validation. Bodies are checked strictly: no type coercion ("50" is not a score) and
 * no silent removal of unknown properties (a client must never smuggle `userId` or `role` in,
 * and must hear that it tried). Path and query values arrive as strings, so they are coerced.
 */
export function installValidation(app: FastifyInstance): void {
  const common = { useDefaults: true, removeAdditional: false, allErrors: false, strict: false } as const;
  const bodies = new Ajv({ ...common, coerceTypes: false });
  const urlParts = new Ajv({ ...common, coerceTypes: true });
  app.setValidatorCompiler(({ schema, httpPart }) =>
    (httpPart === 'body' ? bodies : urlParts).compile(schema as object),
  );

  // An empty body under a JSON content type means "no body" (logout, for one), not an error.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body.toString();
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    parseJson(request, text, done);
  });
}
