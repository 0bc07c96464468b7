/** Droplr/aws-env adapter: `eval $(aws-env) && cmd` inside `sh -c` (docs/env-tools.md §3). */
import {
  failClosedWarning,
  isDynamic,
  listPath,
  recordedSource,
  resolveCollisions,
  runsWrapper,
  shellScript,
  snapshotWarning,
  ssmSource,
} from './common.js';
import { toolDescriptor } from './descriptors.js';
import type { ToolAdapter, ToolParseResult } from './types.js';

/** Parsed aws-env invocation. */
export interface AwsEnvConfig {
  path: string;
  recursive: boolean;
}

/** Name rule text used in mapping tables. */
export const AWS_ENV_RULE = 'aws-env: name after AWS_ENV_PATH, case preserved';
/** Name rule text for `--recursive`. */
export const AWS_ENV_RECURSIVE_RULE = 'aws-env --recursive: name after AWS_ENV_PATH, / → _, case preserved';

// The exact forms ecsops rewrites: `eval $(aws-env [flags]) && rest` / `eval "$(aws-env [flags])"; rest`.
const EVAL_RE = /^(\s*)eval\s+("?)\$\(\s*(\S*aws-env)((?:\s+--?[\w=-]+)*)\s*\)\2\s*(&&|;)\s*/;
const SHELL_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The env name aws-env prints for a parameter (aws-env.go: strip by length, trim `/`, `/` → `_`). */
export function awsEnvName(parameterName: string, path: string): string {
  return parameterName
    .slice(path.length)
    .replace(/^\/+|\/+$/g, '')
    .replaceAll('/', '_');
}

const descriptor = toolDescriptor('aws-env');

function mentionsAwsEnv(argv: readonly string[] | undefined): boolean {
  return argv?.some((a) => /(^|[\s/$(])aws-env(\s|\)|$)/.test(a)) ?? false;
}

/** The aws-env adapter. */
export const awsEnv: ToolAdapter<AwsEnvConfig> = {
  tool: 'aws-env',
  descriptor,
  detect(container) {
    return mentionsAwsEnv(container.argv) || container.environment.some((e) => e.name === 'AWS_ENV_PATH');
  },
  parse(container): ToolParseResult<AwsEnvConfig> {
    const refuse = (...reasons: string[]): ToolParseResult<AwsEnvConfig> => ({
      kind: 'refused',
      tool: 'aws-env',
      reasons,
    });
    const argv = container.argv;
    const sh = shellScript(argv);
    if (sh === undefined || argv === undefined) {
      if (runsWrapper(argv, descriptor)) {
        return refuse(
          'aws-env prints shell code; it must run as `eval $(aws-env) && cmd` inside `sh -c` to be migrated',
        );
      }
      return refuse(
        'AWS_ENV_PATH is set but aws-env is not visible in the command (it may run inside a script in the image); rewrite the entry point by hand',
      );
    }
    const m = EVAL_RE.exec(sh.script);
    if (m === null) {
      return refuse(`aws-env is used in a form ecsops cannot rewrite with certainty: "${sh.script}"`);
    }
    const rest = sh.script.slice(m[0].length);
    if (mentionsAwsEnv([rest])) return refuse(`aws-env appears more than once: "${sh.script}"`);
    if (rest.trim() === '') return refuse(`nothing runs after aws-env: "${sh.script}"`);
    let recursive = false;
    for (const flag of (m[4] ?? '').trim().split(/\s+/).filter(Boolean)) {
      if (flag === '--recursive' || flag === '-recursive') recursive = true;
      else if (flag === '--format=exports' || flag === '-format=exports') continue;
      else return refuse(`aws-env flag ${flag} cannot be migrated: "${sh.script}"`);
    }
    const pathEntry = container.environment.find((e) => e.name === 'AWS_ENV_PATH');
    if (pathEntry === undefined) {
      return refuse(
        'AWS_ENV_PATH is not set in the task definition: aws-env reads nothing (or the path comes from the image)',
      );
    }
    if (isDynamic(pathEntry.value) || !pathEntry.value.startsWith('/')) {
      return refuse(`AWS_ENV_PATH=${pathEntry.value} is not a static SSM path`);
    }
    const warnings = [
      failClosedWarning(
        'aws-env',
        `\`eval $(aws-env) ${m[5]} …\` started the command even when aws-env failed`,
      ),
      "aws-env: values are now passed exactly; aws-env mangled values containing ' or \\ and collapsed runs of spaces (Droplr/aws-env#13)",
    ];
    return {
      kind: 'parsed',
      tool: 'aws-env',
      config: { path: pathEntry.value, recursive },
      queries: [{ kind: 'path', path: pathEntry.value, recursive }],
      // Keep the shell and the rest of the script byte for byte; only the eval prefix goes.
      newArgv: [...sh.prefix, `${m[1] ?? ''}${rest}`, ...argv.slice(3)],
      removeEnvironment: ['AWS_ENV_PATH'],
      warnings,
    };
  },
  plan(config, _container, catalogue) {
    const params = listPath(catalogue.byPath(config.path, config.recursive), config.path, config.recursive);
    const refusals: string[] = [];
    if (params.length === 0) refusals.push(`aws-env: no parameters under ${config.path}`);
    const rule = config.recursive ? AWS_ENV_RECURSIVE_RULE : AWS_ENV_RULE;
    const candidates = params.map((p) => ({
      name: awsEnvName(p.name, config.path),
      source: ssmSource(p),
      rule,
      label: p.name,
    }));
    for (const c of candidates) {
      if (!SHELL_NAME_RE.test(c.name)) {
        refusals.push(
          `aws-env: ${c.label} maps to "${c.name}", which \`export\` rejected, so the app never saw it; native secrets would set it — rename the parameter or migrate by hand`,
        );
      }
    }
    const resolved = resolveCollisions(
      candidates,
      'refuse',
      'aws-env applies them in SSM response order, so the winner is not deterministic',
    );
    return {
      tool: 'aws-env',
      secrets: resolved.secrets,
      collisions: [],
      precedence: 'secret-wins',
      warnings: params.length > 0 ? [snapshotWarning('aws-env', config.path)] : [],
      refusals: [...refusals, ...resolved.refusals],
      sources: [recordedSource('aws-env', config.recursive ? ['recursive'] : [], config.path)],
    };
  },
};
