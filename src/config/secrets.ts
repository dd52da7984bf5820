/**
 * Secrets never live in the sweep file: it is committed with the repository. A key that looks
 * like a credential is refused with a pointer to where it belongs instead.
 */
import { walkKeys } from './yaml-source.js';

const SECRET_KEY =
  /(^|[_-])(password|passwd|passphrase|secret|token|private[_-]?key|api[_-]?key|access[_-]?key|credentials?|ssh[_-]?key)($|[_-])/i;
const PRIVATE_KEY_TEXT = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;

/** Where connection secrets go; kept in one place so the wording follows the action's inputs. */
export const SECRET_HOME =
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression shown to the user.
  'pass it as an action input from a repository secret (e.g. `ssh_private_key: ${{ secrets.CLUSTER_SSH_KEY }}`) ' +
  'or, for the CLI, through an environment variable or your ssh-agent';

export interface SecretFinding {
  readonly path: (string | number)[];
  readonly message: string;
}

export function isSecretLikeKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/** Factor names and levels are the user's vocabulary (a factor may be called `token_budget`). */
const USER_VOCABULARY = new Set(['factors', 'include', 'exclude']);

export function findSecrets(data: unknown): SecretFinding[] {
  const findings: SecretFinding[] = [];
  for (const { key, path, value } of walkKeys(data)) {
    if (USER_VOCABULARY.has(String(path[0]))) continue;
    if (typeof value === 'string' && PRIVATE_KEY_TEXT.test(value)) {
      findings.push({ path, message: `holds a private key; remove it from the file and ${SECRET_HOME}` });
      continue;
    }
    if (!isSecretLikeKey(key)) continue;
    const inEnv = path.length === 3 && path[0] === 'template' && path[1] === 'env';
    if (inEnv) {
      findings.push({
        path,
        message:
          'looks like a secret, and this file is committed with your repository; export it in the ' +
          "cluster's environment (or a secrets manager) and jobs inherit it; do not list it here",
      });
    } else {
      findings.push({
        path,
        message: `looks like a secret; secrets never go in the sweep file: ${SECRET_HOME}`,
      });
    }
  }
  return findings;
}
