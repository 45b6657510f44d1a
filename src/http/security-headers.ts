import type { FastifyInstance, FastifyRequest } from 'fastify';

const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

/** The headers every response carries; also set by hand on hijacked (streamed) replies. */
export const BASE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/** HSTS for a year (the contract asks at least 180 days), on responses to HTTPS requests only. */
export const STRICT_TRANSPORT_SECURITY = 'max-age=31536000';

/** The headers every response to this request carries: the base ones, and HSTS over HTTPS (directly or through a trusted proxy). */
export function securityHeadersFor(request: FastifyRequest): Readonly<Record<string, string>> {
  return request.protocol === 'https' ? { ...BASE_SECURITY_HEADERS, 'strict-transport-security': STRICT_TRANSPORT_SECURITY } : BASE_SECURITY_HEADERS;
}

/**
 * Headers on every response: no MIME sniffing, no referrer leaks, no framing, HSTS over HTTPS;
 * API responses (personal data) are never cached; HTML gets a strict CSP.
 */
export function installSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', (request, reply, payload, done) => {
    reply.headers(securityHeadersFor(request));
    if (request.url.startsWith('/api/') && !reply.hasHeader('cache-control')) {
      reply.header('cache-control', 'no-store');
    }
    const type = reply.getHeader('content-type');
    if (typeof type === 'string' && type.startsWith('text/html')) {
      reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
    }
    done(null, payload);
  });
}
