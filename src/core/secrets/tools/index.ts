/** Registry of wrapper adapters; detection order and every derived list come from `descriptors.ts`. */
import { awsEnv } from './aws-env.js';
import { chamber } from './chamber.js';
import { TOOL_NAMES, type ToolName } from './descriptors.js';
import { parameterStoreExec } from './parameter-store-exec.js';
import { shell } from './shell.js';
import { ssmEnv } from './ssm-env.js';
import { ssmwrap } from './ssmwrap.js';
import type { ToolAdapter } from './types.js';

export { KNOWN_WRAPPER_BINARIES, WRAPPER_ENV_SIGNALS } from './descriptors.js';

// The one place adapter implementations are listed: keyed by descriptor name, so a descriptor without an
// adapter is a compile error (and a test checks each adapter's own name and descriptor).
const ADAPTERS: { [N in ToolName]: ToolAdapter<unknown> } = {
  chamber,
  'ssm-env': ssmEnv,
  'aws-env': awsEnv,
  ssmwrap,
  'parameter-store-exec': parameterStoreExec,
  shell,
};

/** Every adapter, in detection order; a container matched by more than one is refused (two wrappers cannot be unwound safely). */
export const TOOL_ADAPTERS: readonly ToolAdapter<never>[] = TOOL_NAMES.map(
  (name) => ADAPTERS[name] as ToolAdapter<never>,
);
