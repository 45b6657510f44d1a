import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './build-server.js';

/** The real `readpulse` command, as `npx readpulse` runs it. */
export const READPULSE_BIN = join(REPO_ROOT, 'bin', 'readpulse.js');

export interface CommandResult {
  /** The exit code, or null when a signal ended the process. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The runner's environment without any ReadPulse setting, plus `env`: so a developer's own
 * PORT or READPULSE_DB never leaks into a test, and each test states what it configures.
 */
export function readpulseEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const clean: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (name.startsWith('READPULSE_') || name === 'PORT' || name === 'HOST') continue;
    clean[name] = value;
  }
  return { ...clean, ...env };
}

/**
 * Runs `node bin/readpulse.js ...args` to completion with stdin a closed pipe (never a terminal)
 * and returns its exit code and output. Kills it after `timeoutMs`.
 */
export function runReadpulse(
  args: readonly string[],
  env: Record<string, string>,
  options: { timeoutMs?: number } = {},
): Promise<CommandResult> {
  const child = spawn(process.execPath, [READPULSE_BIN, ...args], {
    cwd: REPO_ROOT,
    env: readpulseEnv(env),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdin.end();
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 15_000);
  return new Promise((resolve, reject) => {
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}
