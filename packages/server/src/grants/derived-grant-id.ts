// The id of the grant a one-time code produces is derived from the code's hash, so the tokens (whose `gid` names the
// grant) can be signed before anything is stored. A grant id is not a secret; the code cannot be recovered from it.
import { hashSecret } from '../crypto/random.ts';

/** `source` is the code's hash, prefixed by its kind when it is not an authorization code (e.g. `device:<hash>`). */
export function derivedGrantId(source: string): string {
  return hashSecret(`grant:${source}`).slice(0, 32);
}
