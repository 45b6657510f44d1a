#!/usr/bin/env node
// The `readpulse` command. Runs the compiled build (npm ci and npm start build it).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('ReadPulse is not built yet. Run `npm run build` (npm ci does it too).\n');
  process.exit(1);
}
const { main } = await import(entry.href);
const code = await main(process.argv.slice(2));
if (code !== undefined && code !== 0) process.exitCode = code;
