/** Hand-written shell entry points calling the AWS CLI: always "manual migration needed" (env-tools.md §6, custom shell). */
import { shellScript } from './common.js';
import type { ToolAdapter, ToolParseResult } from './types.js';

const AWS_SSM_RE =
  /\baws\s+(?:--?[\w-]+(?:[ =]\S+)?\s+)*(ssm\s+get-parameters?(?:-by-path)?|secretsmanager\s+get-secret-value)\b/;

/** Lines of a `sh -c` script that call `aws ssm get-parameter[s][-by-path]` or `aws secretsmanager get-secret-value`. */
export function findAwsCliSecretLines(script: string): string[] {
  return script
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => AWS_SSM_RE.test(l));
}

/** The shell adapter: never rewrites, only refuses with the offending lines quoted. */
export const shell: ToolAdapter<never> = {
  tool: 'shell',
  detect(container) {
    const sh = shellScript(container.argv);
    return sh !== undefined && findAwsCliSecretLines(sh.script).length > 0;
  },
  parse(container): ToolParseResult<never> {
    const sh = shellScript(container.argv);
    const lines = sh === undefined ? [] : findAwsCliSecretLines(sh.script);
    return {
      kind: 'refused',
      tool: 'shell',
      reasons: lines.map(
        (l) =>
          `manual migration needed: the entry point script fetches secrets itself, ecsops does not guess at scripts: "${l}"`,
      ),
    };
  },
  plan() {
    throw new Error('shell adapter never plans');
  },
};
