// User passwords: argon2id with OWASP's recommended parameters (m=19 MiB, t=2, p=1).

/** argon2 (a native addon) is loaded at the first password hashed or checked, not at start-up. */
async function loadArgon2(): Promise<typeof import('argon2')> {
  return (await import('argon2')).default;
}

async function argon2idOptions() {
  const argon2 = await loadArgon2();
  return { argon2, options: { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const };
}

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 1024;

export function passwordProblem(password: string): string | undefined {
  if (password.length < PASSWORD_MIN_LENGTH) return `password must be at least ${PASSWORD_MIN_LENGTH} characters`;
  if (password.length > PASSWORD_MAX_LENGTH) return `password must be at most ${PASSWORD_MAX_LENGTH} characters`;
  return undefined;
}

export async function hashPassword(password: string): Promise<string> {
  const { argon2, options } = await argon2idOptions();
  return argon2.hash(password, options);
}

/**
 * The hash an unknown user's password is checked against: same algorithm and parameters as real hashes, so
 * "no such user" costs exactly one argon2id verification, like "wrong password", from the first login on. It is a
 * constant, computed once with the options of argon2idOptions() from 256 random bits that were then discarded (nothing can match it, and an
 * unknown user is refused whatever the result), so a server no longer spends an argon2id hash (~19 MiB, tens of ms)
 * at every start; test/accounts/password-hashing.test.ts keeps its parameters equal to those.
 */
const EQUALISER_HASH = '$argon2id$v=19$m=19456,p=1,t=2$P9cEnKF/2GF+CP86IHaJhA$3RrDY5GilPI/vcFP5tWoOHDjdWRC/91zZjcKRbfKViQ';

export function timingEqualiserHash(): Promise<string> {
  return Promise.resolve(EQUALISER_HASH);
}

/** Verifies a password; with no hash (unknown user) it still spends the same work, so both cases look alike. */
export async function verifyPassword(hash: string | undefined, password: string): Promise<boolean> {
  const argon2 = await loadArgon2();
  if (hash === undefined) {
    await argon2.verify(await timingEqualiserHash(), password).catch(() => false);
    return false;
  }
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}
