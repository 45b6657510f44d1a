import { hash, verify } from '@node-rs/argon2';

export interface PasswordHashingParams {
  readonly memoryKiB: number;
  readonly iterations: number;
}

/** Hashes and verifies passwords with Argon2id; parameters come from config. */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** False for a wrong password or a hash that cannot be read; never throws for those. */
  verify(passwordHash: string, password: string): Promise<boolean>;
  /** Whether a stored hash was made with weaker parameters than the current ones. */
  needsRehash(passwordHash: string): boolean;
  /** Spends the time of one verification, for unknown accounts (no timing difference). */
  verifyDummy(password: string): Promise<void>;
}

const PARALLELISM = 1;
/** @node-rs/argon2's Algorithm.Argon2id (a const enum, which isolated modules cannot import). */
const ARGON2ID = 2;

export function createPasswordHasher(params: PasswordHashingParams): PasswordHasher {
  const options = {
    algorithm: ARGON2ID,
    memoryCost: params.memoryKiB,
    timeCost: params.iterations,
    parallelism: PARALLELISM,
  };
  let dummyHash: Promise<string> | undefined;

  return {
    hash: (password) => hash(password, options),
    async verify(passwordHash, password) {
      try {
        return await verify(passwordHash, password);
      } catch {
        return false;
      }
    },
    needsRehash(passwordHash) {
      const match = /^\$argon2id\$v=\d+\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(passwordHash);
      if (!match) return true;
      return Number(match[1]) < params.memoryKiB || Number(match[2]) < params.iterations;
    },
    async verifyDummy(password) {
      dummyHash ??= hash('readpulse-dummy-password', options);
      await verify(await dummyHash, password).catch(() => false);
    },
  };
}
