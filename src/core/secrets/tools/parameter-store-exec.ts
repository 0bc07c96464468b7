/** cultureamp/parameter-store-exec adapter: `PARAMETER_STORE_EXEC_PATH`, recursive (docs/env-tools.md §6). */
import { isDynamic, listPath, resolveCollisions, runsWrapper, snapshotWarning, ssmSource } from './common.js';
import { toolDescriptor } from './descriptors.js';
import type { ToolAdapter, ToolParseResult } from './types.js';

/** Parsed parameter-store-exec configuration. */
export interface ParameterStoreExecConfig {
  path: string;
}

/** Name rule text used in mapping tables. */
export const PARAMETER_STORE_EXEC_RULE =
  'parameter-store-exec: name after the path, upper-case, [^A-Z0-9_] → _';

/** The env name parameter-store-exec exports (paramstore/store.go, ≥ v1.1.0). */
export function parameterStoreExecEnvName(parameterName: string, path: string): string {
  const trimmed = parameterName.startsWith(path) ? parameterName.slice(path.length) : parameterName;
  return trimmed
    .replace(/^\/+/, '')
    .toUpperCase()
    .replace(/[^A-Z0-9_]/g, '_');
}

const descriptor = toolDescriptor('parameter-store-exec');

function isParameterStoreExecArgv(argv: readonly string[] | undefined): boolean {
  return runsWrapper(argv, descriptor);
}

/** The parameter-store-exec adapter. */
export const parameterStoreExec: ToolAdapter<ParameterStoreExecConfig> = {
  tool: 'parameter-store-exec',
  descriptor,
  detect(container) {
    return (
      isParameterStoreExecArgv(container.argv) ||
      container.environment.some((e) => e.name === 'PARAMETER_STORE_EXEC_PATH')
    );
  },
  parse(container): ToolParseResult<ParameterStoreExecConfig> {
    const refuse = (reason: string): ToolParseResult<ParameterStoreExecConfig> => ({
      kind: 'refused',
      tool: 'parameter-store-exec',
      reasons: [reason],
    });
    const argv = container.argv;
    if (argv === undefined || !isParameterStoreExecArgv(argv)) {
      return refuse(
        'PARAMETER_STORE_EXEC_PATH is set but parameter-store-exec is not visible in the command (it may run inside a script in the image); rewrite the entry point by hand',
      );
    }
    const newArgv = argv.slice(1);
    if (newArgv.length === 0) return refuse('parameter-store-exec has no command to run');
    const pathEntry = container.environment.find((e) => e.name === 'PARAMETER_STORE_EXEC_PATH');
    if (pathEntry === undefined) {
      return refuse(
        'PARAMETER_STORE_EXEC_PATH is not set in the task definition: the wrapper fetches nothing (or the path comes from the image)',
      );
    }
    if (isDynamic(pathEntry.value) || !pathEntry.value.startsWith('/')) {
      return refuse(`PARAMETER_STORE_EXEC_PATH=${pathEntry.value} is not a static SSM path`);
    }
    return {
      kind: 'parsed',
      tool: 'parameter-store-exec',
      config: { path: pathEntry.value },
      queries: [{ kind: 'path', path: pathEntry.value, recursive: true }],
      newArgv,
      removeEnvironment: ['PARAMETER_STORE_EXEC_PATH'],
      warnings: [],
    };
  },
  plan(config, _container, catalogue) {
    const params = listPath(catalogue.byPath(config.path, true), config.path, true);
    const resolved = resolveCollisions(
      params.map((p) => ({
        name: parameterStoreExecEnvName(p.name, config.path),
        source: ssmSource(p),
        rule: PARAMETER_STORE_EXEC_RULE,
        label: p.name,
      })),
      'refuse',
      'parameter-store-exec keeps whichever it sets first, in SSM response order, so the winner is not deterministic',
    );
    return {
      tool: 'parameter-store-exec',
      secrets: resolved.secrets,
      collisions: [],
      precedence: 'env-wins',
      warnings: params.length > 0 ? [snapshotWarning('parameter-store-exec', config.path)] : [],
      refusals: [
        ...(params.length === 0 ? [`parameter-store-exec: no parameters under ${config.path}`] : []),
        ...resolved.refusals,
      ],
      sources: [`parameter-store-exec:${config.path}`],
    };
  },
};
