/** remind101/ssm-env adapter: env values `ssm://NAME` (docs/env-tools.md §2). */
import { failClosedWarning, goBool, goFlag, runsWrapper } from './common.js';
import { toolDescriptor } from './descriptors.js';
import type { PlannedSecret, ToolAdapter, ToolParseResult } from './types.js';

/** Parsed ssm-env invocation. */
export interface SsmEnvConfig {
  /** Env var name → parameter name. */
  mappings: { envName: string; parameterName: string }[];
  withDecryption: boolean;
  noFail: boolean;
  /** False when `ssm://` values are resolved in-process (no ssm-env binary in argv). */
  wrapperInArgv: boolean;
}

/** Name rule text used in mapping tables. */
export const SSM_ENV_RULE = 'ssm-env: env var keeps its name; value ssm://NAME → parameter NAME';

const PREFIX = 'ssm://';

const descriptor = toolDescriptor('ssm-env');

function isSsmEnvArgv(argv: readonly string[] | undefined): boolean {
  return runsWrapper(argv, descriptor);
}

/** The ssm-env adapter. */
export const ssmEnv: ToolAdapter<SsmEnvConfig> = {
  tool: 'ssm-env',
  descriptor,
  detect(container) {
    return isSsmEnvArgv(container.argv) || container.environment.some((e) => e.value.startsWith(PREFIX));
  },
  parse(container): ToolParseResult<SsmEnvConfig> {
    const reasons: string[] = [];
    const warnings: string[] = [];
    let withDecryption = false;
    let noFail = false;
    let newArgv: string[] | undefined;
    const wrapperInArgv = isSsmEnvArgv(container.argv);
    if (wrapperInArgv) {
      const argv = container.argv ?? [];
      let i = 1;
      // Go `flag`: flags precede the command; parsing stops at the first non-flag or `--`.
      for (; i < argv.length; i++) {
        const token = argv[i] as string;
        if (token === '--') {
          i++;
          break;
        }
        const flag = goFlag(token);
        if (flag === undefined) break;
        if (flag.name === 'with-decryption' || flag.name === 'no-fail') {
          const value = goBool(flag.value);
          if (value === undefined) reasons.push(`ssm-env: cannot read boolean flag "${token}"`);
          else if (flag.name === 'with-decryption') withDecryption = value;
          else noFail = value;
        } else if (flag.name === 'template') {
          reasons.push(
            `ssm-env -template selects parameters with a Go template evaluated at runtime ("${argv.slice(i, i + 2).join(' ')}"); ecsops cannot evaluate it with certainty — migrate by hand`,
          );
          if (flag.value === undefined) i++;
        } else {
          reasons.push(`ssm-env: unsupported flag "${token}"`);
        }
      }
      newArgv = argv.slice(i);
      if (newArgv.length === 0) reasons.push('ssm-env has no command to run');
    } else {
      warnings.push(
        'ssm-env: ssm:// values are resolved by the application itself (no ssm-env in the command); after migration it receives the values directly',
      );
    }
    const mappings: SsmEnvConfig['mappings'] = [];
    for (const e of container.environment) {
      if (!e.value.startsWith(PREFIX)) continue;
      const parameterName = e.value.slice(PREFIX.length);
      if (parameterName.includes(':')) {
        reasons.push(
          `${e.name}=${e.value} pins a parameter version; native secrets cannot select SSM versions (containers-roadmap#859)`,
        );
      } else if (parameterName === '' || /[\s$]/.test(parameterName)) {
        reasons.push(`${e.name}=${e.value} is not a parameter name ecsops can migrate`);
      } else mappings.push({ envName: e.name, parameterName });
    }
    if (mappings.length === 0 && reasons.length === 0)
      reasons.push('ssm-env: no ssm:// values in the environment');
    if (reasons.length > 0) return { kind: 'refused', tool: 'ssm-env', reasons };
    if (noFail) {
      warnings.push(
        failClosedWarning(
          'ssm-env',
          '-no-fail started the command with the literal ssm:// value when a parameter was missing',
        ),
      );
    }
    const names = [...new Set(mappings.map((m) => m.parameterName))];
    return {
      kind: 'parsed',
      tool: 'ssm-env',
      config: { mappings, withDecryption, noFail, wrapperInArgv },
      queries: [{ kind: 'names', names }],
      newArgv,
      // The placeholders become secrets of the same name; ECS rejects a name in both lists.
      removeEnvironment: mappings.map((m) => m.envName),
      warnings,
    };
  },
  plan(config, _container, catalogue) {
    const secrets: PlannedSecret[] = [];
    const refusals: string[] = [];
    const warnings: string[] = [];
    for (const m of config.mappings) {
      const p = catalogue.byName(m.parameterName);
      if (p === undefined) {
        refusals.push(`${m.envName}: parameter ${m.parameterName} does not exist`);
        continue;
      }
      if (p.type === 'SecureString' && !config.withDecryption) {
        warnings.push(
          `ssm-env: ${m.envName} received the SecureString ${p.name} still encrypted (no -with-decryption); native secrets always decrypt`,
        );
      }
      secrets.push({
        name: m.envName,
        source: { kind: 'ssm', parameterName: p.name, parameter: p },
        rule: SSM_ENV_RULE,
      });
    }
    if (!config.noFail) {
      warnings.push(
        failClosedWarning(
          'ssm-env',
          'it already failed on missing parameters, but now failure happens before the container starts',
        ),
      );
    }
    return {
      tool: 'ssm-env',
      secrets,
      collisions: [],
      precedence: 'secret-wins',
      warnings,
      refusals,
      sources: [...new Set(config.mappings.map((m) => `ssm-env:${m.parameterName}`))],
    };
  },
};
