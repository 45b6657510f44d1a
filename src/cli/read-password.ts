import { UsageError, type CliDeps } from './run-cli.js';

export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 256;

/**
 * The new password: READPULSE_PASSWORD if set, otherwise typed twice on the terminal without echo.
 * Throws UsageError when neither is possible or the password is out of bounds.
 */
export async function readNewPassword(deps: CliDeps): Promise<string> {
  const password = deps.passwordFromEnv ?? (await promptTwice(deps));
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH || length > MAX_PASSWORD_LENGTH) {
    throw new UsageError(`The password must be ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters.`);
  }
  return password;
}

async function promptTwice(deps: CliDeps): Promise<string> {
  if (!deps.stdin.isTTY) {
    throw new UsageError('No password: set READPULSE_PASSWORD or run this on a terminal to be asked for one.');
  }
  const first = await promptHidden(deps, 'Password: ');
  const second = await promptHidden(deps, 'Repeat password: ');
  if (first !== second) throw new UsageError('The passwords do not match.');
  return first;
}

function promptHidden(deps: CliDeps, question: string): Promise<string> {
  const { stdin, stderr } = deps;
  stderr.write(question);
  stdin.setRawMode(true);
  stdin.resume();
  stdin.setEncoding('utf8');
  return new Promise((resolve, reject) => {
    let typed = '';
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n') {
          finish();
          resolve(typed);
          return;
        }
        if (char === '\u0003') {
          finish();
          reject(new UsageError('Cancelled.'));
          return;
        }
        if (char === '\u007f' || char === '\b') typed = typed.slice(0, -1);
        else typed += char;
      }
    };
    const finish = () => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      stderr.write('\n');
    };
    stdin.on('data', onData);
  });
}
