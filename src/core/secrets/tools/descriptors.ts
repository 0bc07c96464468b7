/**
 * How each env-loading wrapper looks from outside a container: its binaries, its env configuration
 * and its argv forms (docs/env-tools.md §1–6). Plain data with no runtime imports beyond the descriptor
 * list of unsupported wrappers, so the CLI can describe `secrets migrate` at `--help` time without
 * loading any adapter; each adapter (tools/<name>.ts) points at its entry here. `TOOL_NAMES`,
 * `KNOWN_WRAPPER_BINARIES` and the env configuration that means "a wrapper runs" are derived from
 * these entries, never listed by hand.
 */
import { UNSUPPORTED_WRAPPERS } from './unsupported.js';

/** An env entry pattern, by name or by value; a trailing `*` matches any suffix (`SSMWRAP_*`, `ssm://*`). */
export type EnvPattern = { readonly name: string } | { readonly value: string };

interface DescriptorFields {
  /** Identifier used in reports and in the `ecsops:secrets-source` tag. */
  readonly name: string;
  /** The name shown to people. */
  readonly displayName: string;
  /** argv[0] basenames the wrapper is recognised by; their mention anywhere in argv means secrets load there. */
  readonly binaries: readonly string[];
  /** Env configuration variables the wrapper reads (patterns as in `EnvPattern` names). */
  readonly envNames: readonly string[];
  /**
   * Env entries that select which secrets the wrapper loads, so their presence means it runs even
   * when it is hidden in the image's ENTRYPOINT/CMD. Tuning knobs (retries, region) do not belong here.
   */
  readonly envSignals: readonly EnvPattern[];
  /** How the wrapper appears in a container's argv, one short form each. */
  readonly argvForms: readonly string[];
}

/** What ecsops knows about one env-loading wrapper, whether or not it can migrate it. */
export type WrapperDescriptor = DescriptorFields &
  ({ readonly migratable: true } | { readonly migratable: false; readonly reason: string });

/**
 * Wrappers that have an adapter, in detection order (a container matched by more than one is refused).
 * Adding a wrapper: an entry here, its adapter module, and its line in `tools/index.ts`.
 */
export const TOOL_DESCRIPTORS = [
  {
    name: 'chamber',
    displayName: 'chamber',
    binaries: ['chamber'],
    envNames: ['CHAMBER_*'],
    // `--strict` sentinels; the services themselves are only in argv.
    envSignals: [{ value: 'chamberme' }],
    argvForms: ['chamber [-r N] [-b ssm|secretsmanager] exec [--strict] [--pristine] SERVICE... -- CMD...'],
    migratable: true,
  },
  {
    name: 'ssm-env',
    displayName: 'ssm-env',
    binaries: ['ssm-env'],
    envNames: [],
    envSignals: [{ value: 'ssm://*' }],
    argvForms: [
      'ssm-env [-with-decryption] [-no-fail] CMD... with env values X=ssm://NAME',
      'X=ssm://NAME values resolved by the application in-process',
    ],
    migratable: true,
  },
  {
    name: 'aws-env',
    displayName: 'aws-env',
    binaries: ['aws-env'],
    envNames: ['AWS_ENV_PATH'],
    envSignals: [{ name: 'AWS_ENV_PATH' }],
    argvForms: ['sh -c "eval $(aws-env [--recursive]) && CMD..." with env AWS_ENV_PATH'],
    migratable: true,
  },
  {
    name: 'ssmwrap',
    displayName: 'ssmwrap',
    binaries: ['ssmwrap'],
    envNames: ['SSMWRAP_*'],
    envSignals: [{ name: 'SSMWRAP_*' }],
    argvForms: [
      'ssmwrap -paths P,... -names N,... [-prefix P] [--] CMD... (v1)',
      "ssmwrap -env 'path=/p/*[,prefix=P][,entirepath=true]' [--] CMD... (v2)",
      'SSMWRAP_PATHS/SSMWRAP_NAMES read in-process by the ssmwrap library',
    ],
    migratable: true,
  },
  {
    name: 'parameter-store-exec',
    displayName: 'parameter-store-exec',
    binaries: ['parameter-store-exec'],
    envNames: ['PARAMETER_STORE_EXEC_PATH'],
    envSignals: [{ name: 'PARAMETER_STORE_EXEC_PATH' }],
    argvForms: ['parameter-store-exec CMD... with env PARAMETER_STORE_EXEC_PATH'],
    migratable: true,
  },
  {
    name: 'shell',
    displayName: 'shell script',
    // Not a wrapper binary: recognised by the AWS CLI calls inside the script.
    binaries: [],
    envNames: [],
    envSignals: [],
    argvForms: [
      'sh -c "... aws ssm get-parameter[s][-by-path] ..."',
      'sh -c "... aws secretsmanager get-secret-value ..."',
    ],
    migratable: false,
    reason: 'the entry point script fetches secrets itself; ecsops does not guess at scripts',
  },
] as const satisfies readonly WrapperDescriptor[];

/** A wrapper identifier. */
export type ToolName = (typeof TOOL_DESCRIPTORS)[number]['name'];

/** The descriptor of a wrapper that has an adapter. */
export type ToolDescriptor = WrapperDescriptor & { readonly name: ToolName };

/** Wrapper identifiers, as used in reports and in the `ecsops:secrets-source` tag, in detection order. */
export const TOOL_NAMES: readonly ToolName[] = TOOL_DESCRIPTORS.map((d) => d.name);

/** The descriptor of one wrapper, with its literal types. */
export function toolDescriptor<N extends ToolName>(
  name: N,
): Extract<(typeof TOOL_DESCRIPTORS)[number], { name: N }> {
  return TOOL_DESCRIPTORS.find((d) => d.name === name) as Extract<
    (typeof TOOL_DESCRIPTORS)[number],
    { name: N }
  >;
}

/** The binaries of the given wrappers, each once, in order. */
export function wrapperBinaries(descriptors: readonly WrapperDescriptor[]): string[] {
  return [...new Set(descriptors.flatMap((d) => d.binaries))];
}

/** The env signals of the given wrappers, in order. */
export function wrapperEnvSignals(descriptors: readonly WrapperDescriptor[]): EnvPattern[] {
  return descriptors.flatMap((d) => d.envSignals);
}

/** Display names of the migratable wrappers among `descriptors`, comma-separated, in order. */
export function describeWrappers(descriptors: readonly WrapperDescriptor[]): string {
  return descriptors
    .filter((d) => d.migratable)
    .map((d) => d.displayName)
    .join(', ');
}

/** The wrappers `secrets migrate` can replace, for its help text: "chamber, ssm-env, …". */
export function describeMigratableWrappers(): string {
  return describeWrappers(TOOL_DESCRIPTORS);
}

function matchesPattern(pattern: string, text: string): boolean {
  return pattern.endsWith('*') ? text.startsWith(pattern.slice(0, -1)) : text === pattern;
}

/** True when an env entry matches a pattern (by name or by value). */
export function matchesEnvPattern(pattern: EnvPattern, entry: { name: string; value: string }): boolean {
  return 'name' in pattern
    ? matchesPattern(pattern.name, entry.name)
    : matchesPattern(pattern.value, entry.value);
}

// Wrapper binaries whose mere mention in argv means "secrets are loaded here"; used to refuse forms no
// adapter understood (e.g. `sh -c "chamber exec …"`) rather than emit a half-migrated definition.
/** Names of env-loading binaries ecsops knows about, including ones it cannot migrate. */
export const KNOWN_WRAPPER_BINARIES: readonly string[] = wrapperBinaries([
  ...TOOL_DESCRIPTORS,
  ...UNSUPPORTED_WRAPPERS,
]);

/** Env configuration that means "a wrapper runs", even when it is not visible in the command. */
export const WRAPPER_ENV_SIGNALS: readonly EnvPattern[] = wrapperEnvSignals(TOOL_DESCRIPTORS);
