/** Registry of wrapper adapters, in detection order. */
import { awsEnv } from './aws-env.js';
import { chamber } from './chamber.js';
import { parameterStoreExec } from './parameter-store-exec.js';
import { shell } from './shell.js';
import { ssmEnv } from './ssm-env.js';
import { ssmwrap } from './ssmwrap.js';
import type { ToolAdapter } from './types.js';

/** Every adapter; a container matched by more than one is refused (two wrappers cannot be unwound safely). */
export const TOOL_ADAPTERS: readonly ToolAdapter<never>[] = [
  chamber as ToolAdapter<never>,
  ssmEnv as ToolAdapter<never>,
  awsEnv as ToolAdapter<never>,
  ssmwrap as ToolAdapter<never>,
  parameterStoreExec as ToolAdapter<never>,
  shell,
];

// Wrapper binaries whose mere mention in argv means "secrets are loaded here"; used to refuse forms no
// adapter understood (e.g. `sh -c "chamber exec …"`) rather than emit a half-migrated definition.
/** Names of env-loading binaries ecsops knows about, including ones it cannot migrate. */
export const KNOWN_WRAPPER_BINARIES = [
  'chamber',
  'ssm-env',
  'aws-env',
  'ssmwrap',
  'parameter-store-exec',
  'ssm-parent',
  'secrets-init',
  'pstore',
  'aws-ssm-env',
  'aws-secretsmanager-env',
  'confd',
] as const;
