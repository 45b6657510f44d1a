import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { loadConfig } from '../src/config.js';
import { systemClock } from '../src/domain/index.js';
import { assembleServer } from '../src/main.js';
/** The password of every generated user (see generate-scale-data.ts, whose import would run it). */
const SCALE_PASSWORD = 'scale-test-password';

/**
 * Memory of a CSV export from a large database made by generate-scale-data.ts: serves the app
 * in this process on the scale file and downloads /api/export/activity.csv (or progress.csv)
 * with curl, sampling this process's RSS every 50 ms:
 *
 *   npx tsx bench/export-memory.ts --db /tmp/readpulse-scale.db [--what activity|progress] [--rate 20M] [--query from=...]
 *
 * `--rate` caps curl's download speed, a slow client: with backpressure, RSS stays flat.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { db: { type: 'string' }, what: { type: 'string', default: 'activity' }, rate: { type: 'string' }, query: { type: 'string', default: '' } },
  });
  if (!values.db) throw new Error('--db FILE is required');
  const config = loadConfig({ READPULSE_DB: values.db, READPULSE_LOG_LEVEL: 'silent', READPULSE_RATE_LIMITS: 'off', READPULSE_METRICS: 'off' });
  const { app, store, accessRecorder } = await assembleServer(config, systemClock, pino({ level: 'silent' }));
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  try {
    const login = await fetch(`${address}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'consultant1@scale.test', password: SCALE_PASSWORD }),
    });
    if (!login.ok) throw new Error(`sign-in failed: ${login.status}`);
    const { token } = (await login.json()) as { token: string };
    global.gc?.();
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 50);
    const started = performance.now();
    let firstByteMs = 0;
    const bytes = await new Promise<number>((resolve, reject) => {
      const args = ['-s', '-N', '-o', '/dev/null', '-w', '%{size_download} %{time_starttransfer}', '-H', `authorization: Bearer ${token}`];
      if (values.rate) args.push('--limit-rate', values.rate);
      const curl = spawn('curl', [...args, `${address}/api/export/${values.what}.csv${values.query ? `?${values.query}` : ''}`]);
      let out = '';
      curl.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      curl.on('error', reject);
      curl.on('close', (code) => {
        if (code !== 0) return reject(new Error(`curl exited with ${code}`));
        const [size, firstByte] = out.trim().split(' ');
        firstByteMs = Number(firstByte) * 1000;
        resolve(Number(size));
      });
    });
    clearInterval(sampler);
    const seconds = (performance.now() - started) / 1000;
    const mb = (n: number) => (n / 1024 / 1024).toFixed(0);
    process.stdout.write(
      `${values.what}.csv: ${mb(bytes)} MB in ${seconds.toFixed(1)} s (${mb(bytes / seconds)} MB/s), first byte after ${firstByteMs.toFixed(0)} ms; ` +
        `RSS ${mb(baseline)} MB before, peak ${mb(peak)} MB (+${mb(peak - baseline)} MB)\n`,
    );
  } finally {
    await app.close();
    await accessRecorder.stop();
    await store.operations.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
