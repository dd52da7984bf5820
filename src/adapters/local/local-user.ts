/** The user the local scheduler runs jobs as: the one running sweepwatch. */
import { userInfo } from 'node:os';

export interface LocalUser {
  /** -1 where the platform has no uids. */
  readonly uid: number;
  readonly name: string;
}

export function currentUser(): LocalUser {
  const uid = process.getuid?.() ?? -1;
  try {
    return { uid, name: userInfo().username };
  } catch {
    // No passwd entry (a container running as an arbitrary uid).
    return { uid, name: process.env.USER ?? String(uid) };
  }
}
