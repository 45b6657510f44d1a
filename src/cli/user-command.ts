import { createPasswordHasher } from '../auth/password-hasher.js';
import { AppError, ROLES, normalizeEmail, type Role } from '../domain/index.js';
import { readNewPassword } from './read-password.js';
import { parseOptions, UsageError, type CliDeps, type CliStore } from './run-cli.js';

const EMAIL = /^[^\s@]+@[^\s@]+$/;

/** `readpulse user create | set-password | delete`. */
export async function userCommand(args: readonly string[], deps: CliDeps): Promise<number> {
  const [action, ...rest] = args;
  const { values, positionals } = parseOptions(rest, {
    email: { type: 'string' },
    role: { type: 'string' },
    name: { type: 'string' },
  });
  if (positionals.length > 0) throw new UsageError(`Unexpected argument "${positionals[0]}".`);
  if (!values.email) throw new UsageError('--email is required.');
  const email = normalizeEmail(values.email);
  if (!EMAIL.test(email) || email.length > 254) throw new UsageError(`"${values.email}" is not an email address.`);

  switch (action) {
    case 'create': {
      const role = values.role as Role | undefined;
      if (!role || !ROLES.includes(role)) throw new UsageError('--role must be reader or consultant.');
      const password = await readNewPassword(deps);
      return withStore(deps, async (store) => {
        const passwordHash = await createPasswordHasher(deps.config.passwordHashing).hash(password);
        const user = await store.users.createUser({ email, role, name: values.name?.trim() ?? '', passwordHash });
        deps.stdout.write(`Created ${user.role} ${user.email} (id ${user.id}).\n`);
        return 0;
      });
    }
    case 'set-password': {
      const password = await readNewPassword(deps);
      return withStore(deps, async (store) => {
        const credentials = await requireUser(store, email);
        await store.users.setPasswordHash(credentials.user.id, await createPasswordHasher(deps.config.passwordHashing).hash(password));
        const ended = await store.sessions.deleteUserSessions(credentials.user.id);
        deps.stdout.write(`Password of ${email} changed; ${ended} session(s) ended.\n`);
        return 0;
      });
    }
    case 'delete':
      return withStore(deps, async (store) => {
        const credentials = await requireUser(store, email);
        await store.users.deleteUser(credentials.user.id);
        deps.stdout.write(`Deleted ${credentials.user.role} ${email} with their sessions, milestones and activity.\n`);
        return 0;
      });
    default:
      throw new UsageError(`Unknown user action "${action ?? ''}": use create, set-password or delete.`);
  }
}

async function requireUser(store: CliStore, email: string) {
  const credentials = await store.users.getUserByEmail(email);
  if (!credentials) throw new AppError('not_found', `No user has the email ${email}.`);
  return credentials;
}

async function withStore(deps: CliDeps, work: (store: CliStore) => Promise<number>): Promise<number> {
  const store = await deps.openStore();
  try {
    return await work(store);
  } finally {
    await store.operations.close();
  }
}
