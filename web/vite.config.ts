import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type ProxyOptions } from 'vite';

const webRoot = fileURLToPath(new URL('.', import.meta.url));
const apiTarget = process.env.READPULSE_API_URL ?? 'http://127.0.0.1:8080';

/**
 * Forwards /api to a running ReadPulse server during development. The server refuses
 * cookie-authenticated writes whose Origin is not its own, so the proxy presents the target's
 * origin instead of the dev server's.
 */
const apiProxy: ProxyOptions = {
  target: apiTarget,
  changeOrigin: true,
  configure(proxy) {
    proxy.on('proxyReq', (proxyRequest) => {
      if (proxyRequest.getHeader('origin') !== undefined) {
        proxyRequest.setHeader('origin', new URL(apiTarget).origin);
      }
    });
  },
};

export default defineConfig({
  root: webRoot,
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
  },
  server: { proxy: { '/api': apiProxy } },
  preview: { proxy: { '/api': apiProxy } },
});
