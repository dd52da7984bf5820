import { PERMISSION_LEVELS, type PermissionChecker, type PermissionLevel } from '../../ports/permissions.js';
import { type GitHubRepo, httpStatus } from './octokit.js';

function asLevel(value: string | undefined): PermissionLevel | undefined {
  return PERMISSION_LEVELS.find((level) => level === value);
}

/**
 * PermissionChecker through GET /collaborators/{username}/permission. `role_name` is the finer
 * answer (maintain and triage exist only there); a custom role falls back to the legacy
 * `permission` (admin/write/read/none) it is based on. 404, not a collaborator: none.
 */
export class GitHubPermissionChecker implements PermissionChecker {
  constructor(private readonly gh: GitHubRepo) {}

  async permission(username: string): Promise<PermissionLevel> {
    try {
      const { data } = await this.gh.api.request(
        'GET /repos/{owner}/{repo}/collaborators/{username}/permission',
        {
          owner: this.gh.owner,
          repo: this.gh.repo,
          username,
        },
      );
      return asLevel(data.role_name) ?? asLevel(data.permission) ?? 'none';
    } catch (error) {
      if (httpStatus(error) === 404) return 'none';
      throw error;
    }
  }
}
