/**
 * `secrets migrate` planner: per container, find the env-loading wrapper, ask its adapter what
 * metadata it needs (`prepareMigration`), then turn that metadata into native `secrets`, a rewritten
 * entry point and a report (`planMigration`). All or nothing: any refusal means no new definition.
 */
import {
  applyTaskDefinitionEdit,
  type ContainerEdit,
  TASK_DEFINITION_SIZE_LIMIT,
  taskDefinitionSizeBytes,
} from '../task-definition/edit.js';
import { isJsonObject, type JsonObject } from '../task-definition/json.js';
import {
  type ContainerView,
  type ParsedTaskDefinition,
  type SecretEntry,
  taskDefinitionObject,
  toRegisterInput,
} from '../task-definition/parse.js';
import type { TaskSecretReference } from './check.js';
import { partitionForRegion, secretsManagerSecretArn, ssmParameterArn } from './reference.js';
import { basename, plainShellWords, shellScript } from './tools/common.js';
import { matchesEnvPattern } from './tools/descriptors.js';
import { KNOWN_WRAPPER_BINARIES, TOOL_ADAPTERS, WRAPPER_ENV_SIGNALS } from './tools/index.js';
import type {
  Collision,
  ParameterCatalogue,
  ParameterQuery,
  PlannedSecret,
  ToolAdapter,
  ToolContainer,
  ToolContext,
  ToolName,
  ToolParseResult,
} from './tools/types.js';

/** Options of a migration (flags of `secrets migrate`). */
export interface MigrateOptions {
  /** The image's ENTRYPOINT, when the task definition does not override it (`--image-entrypoint`). */
  imageEntryPoint?: string[] | undefined;
  /** The image's CMD (`--image-command`). */
  imageCommand?: string[] | undefined;
  /** `--execution-role`: required when the task definition has none. */
  executionRoleArn?: string | undefined;
  /** `arn` (default): full ARNs; `name`: names for same-region SSM parameters, to save bytes. */
  valueFrom: 'arn' | 'name';
  /** Target region and account, for ARNs (taken from the parameter metadata when it has them). */
  region: string | undefined;
  accountId: string | undefined;
}

/** Something that blocks the migration, per container. */
export interface MigrationRefusal {
  container: string;
  tool: ToolName | undefined;
  reason: string;
}

/** One adapter run, bound to its parsed configuration (opaque to callers). */
interface PreparedContainer {
  container: ContainerView;
  toolContainer: ToolContainer;
  tool: ToolName;
  newArgv: string[] | undefined;
  removeEnvironment: string[];
  warnings: string[];
  plan: (catalogue: ParameterCatalogue) => ReturnType<ToolAdapter<unknown>['plan']>;
}

/** First phase result: what to fetch, and what is already refused. */
export interface MigrationPreparation {
  parsed: ParsedTaskDefinition;
  options: MigrateOptions;
  containers: PreparedContainer[];
  /** Metadata the command must fetch (DescribeParameters / DescribeSecret) before `planMigration`. */
  queries: ParameterQuery[];
  refusals: MigrationRefusal[];
}

/** One row of the mapping table. */
export interface MappingRow {
  container: string;
  name: string;
  valueFrom: string;
  /** Parameter name, or `secret ARN` + ` key K` for Secrets Manager. */
  parameter: string;
  rule: string;
  tool: ToolName;
}

/** An env entry the migration removes, and why. */
export interface EnvironmentRemoval {
  container: string;
  name: string;
  reason: string;
}

/** Result of a migration. `document` is undefined unless `status` is `migrated`. */
export interface MigrationResult {
  status: 'migrated' | 'nothing-to-do' | 'refused';
  /** The new task definition, same shape and key spelling as the input. */
  document: unknown;
  /** RegisterTaskDefinition input for the new document (undefined for a bare containerDefinitions array). */
  registerInput: JsonObject | undefined;
  sizeBytes: number;
  sizeLimitBytes: number;
  mappings: MappingRow[];
  collisions: (Collision & { container: string })[];
  removedEnvironment: EnvironmentRemoval[];
  /** Secrets skipped because an existing `environment` entry wins (parameter-store-exec). */
  skippedSecrets: EnvironmentRemoval[];
  warnings: string[];
  refusals: MigrationRefusal[];
  /** Where secrets came from, e.g. `chamber:/app-prod/` (for the `ecsops:secrets-source` tag). */
  sources: string[];
  executionRoleArn: string | undefined;
  /** The new `secrets` entries, in the `secrets check` engine's shape (paths point into the new document). */
  references: TaskSecretReference[];
}

/** Tag key recording where migrated secrets came from. */
export const SECRETS_SOURCE_TAG = 'ecsops:secrets-source';

// Env configuration that means "a wrapper runs", even when it is not visible in the command.
function wrapperEnvConfig(c: ContainerView): string[] {
  return c.environment
    .filter((e) => WRAPPER_ENV_SIGNALS.some((p) => matchesEnvPattern(p, e)))
    .map((e) => `${e.name}=${e.value}`);
}

interface ArgvInfo {
  argv: string[] | undefined;
  /** Where the entry point came from: the task definition, the image (given), or unknown. */
  entryPointFrom: 'task' | 'image' | 'unknown';
  entryPoint: string[] | undefined;
  command: string[] | undefined;
  commandFrom: 'task' | 'image' | 'unknown';
  /** The argv came from a plain `sh -c "wrapper …"` (Docker shell form) and was split into words. */
  shellForm?: boolean;
}

// Docker's merge: a non-empty task entryPoint replaces the image ENTRYPOINT *and* drops the image CMD;
// an empty one (`[]`) counts as unset (docs/env-tools.md §0, entry point caveat).
function effectiveArgv(c: ContainerView, options: MigrateOptions): ArgvInfo {
  if (c.entryPoint !== undefined && c.entryPoint.length > 0) {
    const command = c.command ?? [];
    return {
      argv: [...c.entryPoint, ...command],
      entryPointFrom: 'task',
      entryPoint: c.entryPoint,
      command,
      commandFrom: 'task',
    };
  }
  const entryPoint = options.imageEntryPoint;
  const fromTask = c.command !== undefined && c.command.length > 0;
  // `--image-entrypoint` without `--image-command` describes an image with no CMD.
  const imageCommand = options.imageCommand ?? (entryPoint !== undefined ? [] : undefined);
  const command = fromTask ? c.command : imageCommand;
  const commandFrom = fromTask ? 'task' : command !== undefined ? 'image' : 'unknown';
  const entryPointFrom = entryPoint !== undefined ? 'image' : 'unknown';
  let argv: string[] | undefined;
  if (entryPoint !== undefined && command !== undefined) argv = [...entryPoint, ...command];
  else if (entryPoint === undefined && fromTask) argv = [...(command ?? [])];
  else if (entryPoint !== undefined && entryPoint.length > 0 && command === undefined) argv = undefined;
  return unwrapShellForm({ argv, entryPointFrom, entryPoint, command, commandFrom });
}

// `["sh", "-c", "chamber exec svc -- node app.js"]` (Docker's shell form) runs exactly the script's
// words when the script uses no shell feature; those words are then the argv to migrate. aws-env is
// excluded: it only works through the shell's `eval`, which its own adapter handles.
function unwrapShellForm(info: ArgvInfo): ArgvInfo {
  const sh = shellScript(info.argv);
  if (sh === undefined || info.argv?.length !== 3) return info;
  const words = plainShellWords(sh.script);
  const tool = basename(words?.[0]);
  if (words === undefined || tool === 'aws-env' || !KNOWN_WRAPPER_BINARIES.includes(tool)) {
    return info;
  }
  return { ...info, argv: words, shellForm: true };
}

function endsWith(list: readonly string[], tail: readonly string[]): boolean {
  if (tail.length > list.length) return false;
  return tail.every((t, i) => list[list.length - tail.length + i] === t);
}

// Writes the wrapper-free argv back with the fewest changes, always explicit when the wrapper was in
// the image: an absent or empty entryPoint would let the image's wrapper run again.
function placeArgv(info: ArgvInfo, newArgv: string[]): Pick<ContainerEdit, 'entryPoint' | 'command'> {
  const split = (): Pick<ContainerEdit, 'entryPoint' | 'command'> => ({
    entryPoint: newArgv.slice(0, 1),
    command: newArgv.slice(1),
  });
  // The shell is gone along with the wrapper: write the command in exec form, explicitly.
  if (info.shellForm) return split();
  if (info.entryPointFrom === 'task') {
    const cmd = info.command ?? [];
    if (endsWith(newArgv, cmd) && newArgv.length > cmd.length)
      return { entryPoint: newArgv.slice(0, newArgv.length - cmd.length) };
    return split();
  }
  if (info.entryPointFrom === 'image' && (info.entryPoint ?? []).length > 0) {
    const cmd = info.command ?? [];
    // An image without CMD: the new entry point is the whole argv, and there is no command to keep.
    if (cmd.length === 0) return { entryPoint: newArgv };
    if (endsWith(newArgv, cmd) && newArgv.length > cmd.length) {
      return { entryPoint: newArgv.slice(0, newArgv.length - cmd.length), command: cmd };
    }
    return split();
  }
  return { command: newArgv };
}

function mentionsKnownWrapper(argv: readonly string[]): string | undefined {
  for (const arg of argv) {
    for (const word of arg.split(/[\s;&|()`"'$=]+/)) {
      const b = basename(word);
      if (KNOWN_WRAPPER_BINARIES.includes(b)) return b;
    }
  }
  return undefined;
}

/** Phase 1: detect and parse each container's wrapper; returns the metadata queries to run. */
export function prepareMigration(
  parsed: ParsedTaskDefinition,
  options: MigrateOptions,
): MigrationPreparation {
  const ctx: ToolContext = { region: options.region };
  const containers: PreparedContainer[] = [];
  const refusals: MigrationRefusal[] = [];
  const queries: ParameterQuery[] = [];
  for (const c of parsed.view.containers) {
    const info = effectiveArgv(c, options);
    const toolContainer: ToolContainer = { name: c.name, argv: info.argv, environment: c.environment };
    const detected = TOOL_ADAPTERS.filter((a) => a.detect(toolContainer, ctx));
    const envConfig = wrapperEnvConfig(c);
    const refuse = (reason: string, tool?: ToolName) => refusals.push({ container: c.name, tool, reason });
    if (detected.length === 0) {
      const mentioned = info.argv === undefined ? undefined : mentionsKnownWrapper(info.argv);
      if (mentioned !== undefined) {
        const script = shellScript(info.argv)?.script;
        refuse(
          `${mentioned} is used in a form ecsops does not migrate${script === undefined ? '' : `: "${script}"`}; rewrite it by hand`,
        );
      } else if (envConfig.length > 0 && info.entryPointFrom === 'unknown') {
        refuse(
          `wrapper configuration (${envConfig.join(', ')}) but the image's ENTRYPOINT/CMD is unknown; pass --image-entrypoint '<json array>' and --image-command '<json array>'`,
        );
      } else if (envConfig.length > 0) {
        refuse(
          `wrapper configuration (${envConfig.join(', ')}) but no wrapper in the command; rewrite it by hand`,
        );
      }
      continue;
    }
    if (detected.length > 1) {
      refuse(
        `several wrappers detected (${detected.map((a) => a.tool).join(', ')}); ecsops cannot unwind them safely`,
      );
      continue;
    }
    const adapter = detected[0] as ToolAdapter<unknown>;
    // A wrapper recognised only by its env configuration may be hidden in the image's ENTRYPOINT/CMD.
    const argvComplete = info.argv !== undefined && info.entryPointFrom !== 'unknown';
    const wrapperVisible = info.argv !== undefined && adapterInArgv(adapter, info.argv);
    if (!wrapperVisible && !argvComplete) {
      refuse(
        `wrapper configuration (${envConfig.join(', ') || adapter.tool}) but the image's ENTRYPOINT/CMD is unknown; pass --image-entrypoint '<json array>' and --image-command '<json array>'`,
        adapter.tool,
      );
      continue;
    }
    const result = adapter.parse(toolContainer, ctx) as ToolParseResult<unknown>;
    if (result.kind === 'refused') {
      for (const r of result.reasons) refuse(r, result.tool);
      continue;
    }
    if (result.newArgv !== undefined) {
      const again = mentionsKnownWrapper(result.newArgv);
      if (again !== undefined) {
        refuse(
          `the command after ${adapter.tool} runs another wrapper (${again}); migrate one at a time by hand`,
          adapter.tool,
        );
        continue;
      }
    }
    queries.push(...result.queries);
    const config = result.config;
    containers.push({
      container: c,
      toolContainer,
      tool: result.tool,
      newArgv: result.newArgv,
      removeEnvironment: result.removeEnvironment,
      warnings: result.warnings,
      plan: (catalogue) => adapter.plan(config, toolContainer, catalogue, ctx),
    });
  }
  return { parsed, options, containers, queries: dedupeQueries(queries), refusals };
}

function adapterInArgv(adapter: ToolAdapter<unknown>, argv: readonly string[]): boolean {
  if (adapter.tool === 'shell') return true;
  if (adapter.tool === 'aws-env')
    return basename(argv[0]) === 'aws-env' || (shellScript(argv)?.script.includes('aws-env') ?? false);
  return adapter.descriptor.binaries.includes(basename(argv[0]));
}

function dedupeQueries(queries: ParameterQuery[]): ParameterQuery[] {
  const seen = new Set<string>();
  const out: ParameterQuery[] = [];
  for (const q of queries) {
    const key = JSON.stringify(q);
    if (!seen.has(key)) {
      seen.add(key);
      out.push(q);
    }
  }
  return out;
}

function valueFromFor(secret: PlannedSecret, options: MigrateOptions): string | { error: string } {
  const region = options.region;
  const partition = region === undefined ? 'aws' : partitionForRegion(region);
  if (secret.source.kind === 'secretsmanager') {
    const arn = secret.source.secretArnOrName.startsWith('arn:')
      ? secret.source.secretArnOrName
      : region !== undefined && options.accountId !== undefined
        ? secretsManagerSecretArn(partition, region, options.accountId, secret.source.secretArnOrName)
        : undefined;
    if (arn === undefined)
      return {
        error: `cannot build the ARN of secret ${secret.source.secretArnOrName}: region or account unknown`,
      };
    return secret.source.jsonKey === undefined ? arn : `${arn}:${secret.source.jsonKey}::`;
  }
  const p = secret.source.parameter;
  const arnRegion = p.arn?.split(':')[3];
  if (options.valueFrom === 'name' && (arnRegion === undefined || arnRegion === region)) return p.name;
  if (p.arn !== undefined) return p.arn;
  if (region === undefined || options.accountId === undefined) {
    return { error: `cannot build the ARN of ${p.name}: region or account unknown (use --value-from name)` };
  }
  return ssmParameterArn(partition, region, options.accountId, p.name);
}

function describeSource(secret: PlannedSecret): string {
  return secret.source.kind === 'ssm'
    ? secret.source.parameterName
    : `${secret.source.secretArnOrName}${secret.source.jsonKey === undefined ? '' : ` key ${secret.source.jsonKey}`}`;
}

/** Phase 2: plan every prepared container against fetched metadata; never half-migrates. */
export function planMigration(prep: MigrationPreparation, catalogue: ParameterCatalogue): MigrationResult {
  const { parsed, options } = prep;
  const refusals = [...prep.refusals];
  const warnings: string[] = [];
  const mappings: MappingRow[] = [];
  const collisions: MigrationResult['collisions'] = [];
  const removedEnvironment: EnvironmentRemoval[] = [];
  const skippedSecrets: EnvironmentRemoval[] = [];
  const sources: string[] = [];
  const references: MigrationResult['references'] = [];
  const edits: ContainerEdit[] = [];
  for (const pc of prep.containers) {
    const c = pc.container;
    const plan = pc.plan(catalogue);
    warnings.push(...pc.warnings, ...plan.warnings);
    for (const r of plan.refusals) refusals.push({ container: c.name, tool: plan.tool, reason: r });
    sources.push(...plan.sources);
    for (const col of plan.collisions) collisions.push({ ...col, container: c.name });
    const removed = new Set(pc.removeEnvironment);
    for (const name of pc.removeEnvironment) {
      removedEnvironment.push({
        container: c.name,
        name,
        reason: `${plan.tool} configuration or placeholder`,
      });
    }
    const remainingEnv = new Set(c.environment.map((e) => e.name).filter((n) => !removed.has(n)));
    const existingSecrets = new Map(c.secrets.map((s) => [s.name, s.valueFrom]));
    const added: SecretEntry[] = [];
    for (const s of plan.secrets) {
      if (remainingEnv.has(s.name)) {
        // ECS rejects a name in both environment and secrets; follow the wrapper's precedence.
        if (plan.precedence === 'env-wins') {
          skippedSecrets.push({
            container: c.name,
            name: s.name,
            reason: `${plan.tool}: existing environment entry wins over ${describeSource(s)}`,
          });
          continue;
        }
        removed.add(s.name);
        remainingEnv.delete(s.name);
        removedEnvironment.push({
          container: c.name,
          name: s.name,
          reason: `${plan.tool}: ${describeSource(s)} overwrote it`,
        });
      }
      const valueFrom = valueFromFor(s, options);
      if (typeof valueFrom !== 'string') {
        refusals.push({ container: c.name, tool: plan.tool, reason: valueFrom.error });
        continue;
      }
      const existing = existingSecrets.get(s.name);
      if (existing !== undefined) {
        if (plan.precedence === 'env-wins' || existing === valueFrom) {
          skippedSecrets.push({ container: c.name, name: s.name, reason: `already a secret (${existing})` });
          continue;
        }
        refusals.push({
          container: c.name,
          tool: plan.tool,
          reason: `${s.name} is already a secret (${existing}) but ${plan.tool} overwrote it with ${describeSource(s)}; remove one of them first`,
        });
        continue;
      }
      added.push({ name: s.name, valueFrom });
      mappings.push({
        container: c.name,
        name: s.name,
        valueFrom,
        parameter: describeSource(s),
        rule: s.rule,
        tool: plan.tool,
      });
      references.push({
        containerName: c.name,
        name: s.name,
        valueFrom,
        source: 'secrets',
        path: `${c.path}.secrets[${c.secrets.length + added.length - 1}].valueFrom`,
      });
    }
    if (plan.secrets.length === 0 && plan.refusals.length === 0) {
      refusals.push({ container: c.name, tool: plan.tool, reason: `${plan.tool}: nothing to migrate` });
    }
    const info = effectiveArgv(c, options);
    edits.push({
      index: c.index,
      ...(pc.newArgv === undefined ? {} : placeArgv(info, pc.newArgv)),
      removeEnvironment: [...removed],
      addSecrets: added,
    });
  }
  const executionRoleArn = options.executionRoleArn ?? parsed.view.executionRoleArn;
  if (edits.length > 0 && executionRoleArn === undefined) {
    refusals.push({
      container: '*',
      tool: undefined,
      reason:
        'native secrets are fetched by the task execution role and the task definition has none; pass --execution-role ARN',
    });
  }
  if (parsed.shape === 'container-definitions' && options.executionRoleArn !== undefined) {
    warnings.push(
      `a bare containerDefinitions array has no executionRoleArn: set ${options.executionRoleArn} on the task definition resource that uses this file`,
    );
  }
  const base: Omit<MigrationResult, 'status'> = {
    document: undefined,
    registerInput: undefined,
    sizeBytes: 0,
    sizeLimitBytes: TASK_DEFINITION_SIZE_LIMIT,
    mappings,
    collisions,
    removedEnvironment,
    skippedSecrets,
    warnings: dedupe(warnings),
    refusals,
    sources: dedupe(sources),
    executionRoleArn,
    references,
  };
  if (refusals.length > 0) return { ...base, status: 'refused', mappings: [], references: [] };
  if (edits.length === 0) return { ...base, status: 'nothing-to-do' };
  base.warnings.push(
    'native secrets are injected once when the task starts and never refreshed: after rotating a parameter, force a new deployment',
  );
  const document = applyTaskDefinitionEdit(parsed, {
    containers: edits,
    ...(options.executionRoleArn !== undefined && options.executionRoleArn !== parsed.view.executionRoleArn
      ? { executionRoleArn: options.executionRoleArn }
      : {}),
  });
  const td = taskDefinitionObject(document, parsed.shape);
  const registerInput = td === undefined ? undefined : toRegisterInput(td, parsed.tags);
  const sizeBytes = taskDefinitionSizeBytes(registerInput ?? { containerDefinitions: document });
  if (sizeBytes > TASK_DEFINITION_SIZE_LIMIT) {
    return {
      ...base,
      status: 'refused',
      mappings: [],
      references: [],
      sizeBytes,
      refusals: [
        {
          container: '*',
          tool: undefined,
          reason: `the migrated task definition is ${sizeBytes} bytes, over the 64 KiB limit${options.valueFrom === 'arn' ? '; try --value-from name' : ''}`,
        },
      ],
    };
  }
  return { ...base, status: 'migrated', document, registerInput, sizeBytes };
}

function dedupe(list: string[]): string[] {
  return [...new Set(list)];
}

/** The `ecsops:secrets-source` tag value: sources joined by spaces, within the 256-character tag limit. */
export function secretsSourceTagValue(sources: readonly string[]): string {
  const value = sources.join(' ');
  if (value.length <= 256) return value;
  const kept: string[] = [];
  for (const s of sources) {
    const more = ` +${sources.length - kept.length - 1} more`;
    if ([...kept, s].join(' ').length + more.length > 256) break;
    kept.push(s);
  }
  return `${kept.join(' ')} +${sources.length - kept.length} more`;
}

/**
 * True when `registered` (a revision's RegisterTaskDefinition input, as `toRegisterInput` builds it)
 * is already a migration of `planned`: it carries the `ecsops:secrets-source` tag, and it has the same
 * content as `planned` once ECS's filled-in defaults (`essential: true`, `cpu: 0`, empty lists), key
 * order and tag order are set aside. The tag's own value is not compared: same secrets, same migration.
 */
export function isMigrationRegistration(planned: JsonObject, registered: JsonObject): boolean {
  return isTaggedRegistration(planned, registered, SECRETS_SOURCE_TAG);
}

/**
 * True when `registered` carries the provenance tag `tagKey` and has the same content as `planned`
 * (ECS defaults, key order, tag order and the tag's value set aside). `logs migrate` shares it.
 */
export function isTaggedRegistration(planned: JsonObject, registered: JsonObject, tagKey: string): boolean {
  const tagged = Array.isArray(registered.tags) && registered.tags.some((t) => isTag(t) && t.key === tagKey);
  if (!tagged) return false;
  return canonicalJson(comparable(planned, tagKey)) === canonicalJson(comparable(registered, tagKey));
}

function isTag(value: unknown): value is { key: unknown; value?: unknown } {
  return typeof value === 'object' && value !== null && 'key' in value;
}

// Drops what does not change what ECS runs: the source tag, defaults DescribeTaskDefinition fills in,
// and empty values (`[]`, `{}`, null) that mean "unset".
function comparable(input: JsonObject, tagKey: string): unknown {
  const copy: JsonObject = { ...input };
  if (Array.isArray(copy.tags)) {
    copy.tags = copy.tags
      .filter((t) => !(isTag(t) && t.key === tagKey))
      .sort((a, b) => String(isTag(a) ? a.key : '').localeCompare(String(isTag(b) ? b.key : '')));
  }
  if (Array.isArray(copy.containerDefinitions)) {
    copy.containerDefinitions = copy.containerDefinitions.map((c) => {
      if (!isJsonObject(c)) return c;
      const container: JsonObject = { ...c };
      if (container.essential === true) delete container.essential;
      if (container.cpu === 0) delete container.cpu;
      return container;
    });
  }
  return withoutEmpty(copy);
}

function withoutEmpty(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutEmpty);
  if (typeof value !== 'object' || value === null) return value;
  const out: JsonObject = {};
  for (const [key, v] of Object.entries(value)) {
    const cleaned = withoutEmpty(v);
    if (cleaned === null || cleaned === undefined) continue;
    if (Array.isArray(cleaned) && cleaned.length === 0) continue;
    if (typeof cleaned === 'object' && !Array.isArray(cleaned) && Object.keys(cleaned).length === 0) continue;
    out[key] = cleaned;
  }
  return out;
}

// JSON with object keys sorted, so key order does not matter.
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'object' && v !== null && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}
