/** Hand-written shell entry points calling the AWS CLI: always "manual migration needed" (docs/env-tools.md §6, custom shell). */
import { basename, shellScript, shellTokens } from './common.js';
import { toolDescriptor } from './descriptors.js';
import type { ToolAdapter, ToolParseResult } from './types.js';

const SECRET_READS: Record<string, readonly string[]> = {
  ssm: ['get-parameter', 'get-parameters', 'get-parameters-by-path'],
  secretsmanager: ['get-secret-value'],
};
// AWS CLI global options that take a value, so `aws --region x ssm …` is still recognised.
const GLOBAL_OPTIONS_WITH_VALUE = new Set([
  '--region',
  '--profile',
  '--output',
  '--query',
  '--endpoint-url',
  '--cli-read-timeout',
  '--cli-connect-timeout',
  '--ca-bundle',
  '--color',
]);

/** True when the shell words call the AWS CLI to read a parameter or secret (in any quoting, inside `$(…)` too). */
export function callsAwsCliSecretRead(tokens: readonly string[]): boolean {
  for (let i = 0; i < tokens.length; i++) {
    if (basename(tokens[i]) !== 'aws') continue;
    let j = i + 1;
    while (j < tokens.length && (tokens[j] as string).startsWith('--')) {
      const option = tokens[j] as string;
      j += GLOBAL_OPTIONS_WITH_VALUE.has(option) && !option.includes('=') ? 2 : 1;
    }
    const reads = SECRET_READS[tokens[j] as string];
    if (reads?.includes(tokens[j + 1] as string)) return true;
  }
  return false;
}

/** Lines of a `sh -c` script that call `aws ssm get-parameter[s][-by-path]` or `aws secretsmanager get-secret-value`. */
export function findAwsCliSecretLines(script: string): string[] {
  return script
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && callsAwsCliSecretRead(shellTokens(l)));
}

/** The shell adapter: never rewrites, only refuses with the offending lines quoted. */
export const shell: ToolAdapter<never> = {
  tool: 'shell',
  descriptor: toolDescriptor('shell'),
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
