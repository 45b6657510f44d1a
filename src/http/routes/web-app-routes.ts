import { existsSync, statSync } from 'node:fs';
import { join, normalize, resolve, sep } from 'node:path';
import type { FastifyPluginAsync } from 'fastify';
import { AppError } from '../../domain/index.js';

/**
 * Serves the built browser app (web/dist) from `/`: files as they are, and index.html for any
 * other path outside /api so client-side routes survive a reload. Absent a build, it says so.
 */
export const webAppRoutes: FastifyPluginAsync<{ webRoot: string }> = async (app, { webRoot }) => {
  const root = resolve(webRoot); // no trailing separator, so the containment check below holds
  const built = existsSync(join(root, 'index.html'));

  app.get('/*', { config: { policy: 'public' }, schema: { hide: true } as object }, async (request, reply) => {
    const path = (request.params as { '*': string })['*']; // already percent-decoded by the router
    if (path === 'api' || path.startsWith('api/') || path === 'metrics') {
      throw new AppError('not_found', `No route for GET /${path}.`);
    }
    if (!built) {
      return reply.type('text/plain; charset=utf-8').send('ReadPulse API is running. The web app is not built: run `npm run build`.\n');
    }
    const file = normalize(join(root, path));
    if (file.startsWith(root + sep) && existsSync(file) && statSync(file).isFile()) {
      // Vite names built assets by content hash, so they never change under the same name.
      const immutable = path.startsWith('assets/');
      return reply.sendFile(path, root, { maxAge: immutable ? '365d' : 0, immutable });
    }
    return reply.header('cache-control', 'no-cache').sendFile('index.html', root);
  });
};
