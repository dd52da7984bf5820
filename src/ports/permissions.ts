/** Who may run a slash command: the commenter's role on the repository. */

/** GitHub's repository roles, weakest first. */
export const PERMISSION_LEVELS = ['none', 'read', 'triage', 'write', 'maintain', 'admin'] as const;
export type PermissionLevel = (typeof PERMISSION_LEVELS)[number];

export function atLeast(level: PermissionLevel, required: PermissionLevel): boolean {
  return PERMISSION_LEVELS.indexOf(level) >= PERMISSION_LEVELS.indexOf(required);
}

export interface PermissionChecker {
  /** The user's role; `none` for a user who is not a collaborator or does not exist. */
  permission(username: string): Promise<PermissionLevel>;
}
