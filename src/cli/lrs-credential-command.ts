import { createLrsCredential } from '../xapi/lrs-credentials.js';
import { parseOptions, UsageError, type CliDeps } from './run-cli.js';

/** `readpulse lrs-credential create --name N`: prints the new key and its secret (shown this once). */
export async function lrsCredentialCommand(args: readonly string[], deps: CliDeps): Promise<number> {
  const [action, ...rest] = args;
  const { values, positionals } = parseOptions(rest, { name: { type: 'string' } });
  if (positionals.length > 0) throw new UsageError(`Unexpected argument "${positionals[0]}".`);
  if (action !== 'create') throw new UsageError('Use "readpulse lrs-credential create --name N".');
  if (!values.name?.trim()) throw new UsageError('--name is required.');
  const store = await deps.openStore();
  try {
    const { credential, secret } = await createLrsCredential(store.lrsCredentials, values.name);
    deps.stdout.write(`Created LRS credential "${credential.name}" (id ${credential.id}).\nkey:    ${credential.key}\nsecret: ${secret}\nThe secret is shown only now.\n`);
    return 0;
  } finally {
    await store.operations.close();
  }
}
