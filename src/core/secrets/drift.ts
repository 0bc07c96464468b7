/**
 * `secrets drift` / `secrets sync` planner. A migrated definition records where its secrets came from
 * in the `ecsops:secrets-source` tag; this module reads those sources back, says which metadata to
 * fetch (DescribeParameters only, never values), re-expands each source with its wrapper adapter's own
 * `plan` (the same naming rules, filters and collision rules as `secrets migrate`), and compares the
 * result with the definition's `secrets`. Secrets that no recorded source produces (added by hand) are
 * never reported and never touched. See docs/secrets-drift.md.
 */
import {
  applyTaskDefinitionEdit,
  type ContainerEdit,
  TASK_DEFINITION_SIZE_LIMIT,
  taskDefinitionSizeBytes,
} from '../task-definition/edit.js';
import type { JsonObject } from '../task-definition/json.js';
import {
  type ContainerView,
  type ParsedTaskDefinition,
  type SecretEntry,
  taskDefinitionObject,
  toRegisterInput,
} from '../task-definition/parse.js';
import { SECRETS_SOURCE_TAG } from './migrate.js';
import { parseSecretReference, partitionForRegion, ssmParameterArn } from './reference.js';
import { awsEnv, awsEnvName } from './tools/aws-env.js';
import { type ChamberConfig, chamber, chamberEnvName } from './tools/chamber.js';
import { isDirectChild, isUnder } from './tools/common.js';
import { TOOL_NAMES } from './tools/descriptors.js';
import { parameterStoreExec, parameterStoreExecEnvName } from './tools/parameter-store-exec.js';
import { type SsmEnvConfig, ssmEnv } from './tools/ssm-env.js';
import { type SsmwrapConfig, type SsmwrapRule, ssmwrap, ssmwrapEnvName } from './tools/ssmwrap.js';
import type {
  ParameterCatalogue,
  ParameterQuery,
  ToolContainer,
  ToolContext,
  ToolName,
  ToolPlan,
} from './tools/types.js';

/** One entry of the `ecsops:secrets-source` tag, read back. */
export interface RecordedSource {
  /** The entry as recorded, e.g. `chamber:/billing/`. */
  raw: string;
  tool: ToolName;
  /** `path`: a listing under `target`; `name`: one exact parameter; `secret`: a Secrets Manager secret. */
  kind: 'path' | 'name' | 'secret';
  target: string;
  recursive: boolean;
  /** chamber `--strict`: only the sentinel keys were exported. */
  strict: boolean;
  /** ssmwrap naming options. */
  entirePath: boolean;
  prefix: string;
}

/** The tag read back: the sources, and what could not be read from it. */
export interface RecordedSources {
  sources: RecordedSource[];
  problems: string[];
}

/** Reads an `ecsops:secrets-source` tag value (sources separated by spaces, `+N more` when truncated). */
export function parseSecretsSourceTag(value: string): RecordedSources {
  const sources: RecordedSource[] = [];
  const problems: string[] = [];
  const words = value.split(/\s+/).filter((w) => w !== '');
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string;
    const more = /^\+(\d+)$/.exec(word);
    if (more !== null && words[i + 1] === 'more') {
      problems.push(
        `the ${SECRETS_SOURCE_TAG} tag was cut at 256 characters: ${more[1]} source(s) are not recorded and cannot be compared`,
      );
      i++;
      continue;
    }
    const parsed = parseRecordedSource(word);
    if (typeof parsed === 'string') problems.push(parsed);
    else sources.push(parsed);
  }
  return { sources, problems };
}

function parseRecordedSource(raw: string): RecordedSource | string {
  const colon = raw.indexOf(':');
  if (colon <= 0) return `${SECRETS_SOURCE_TAG} entry "${raw}" is not tool:target`;
  const [toolName, ...modifiers] = raw.slice(0, colon).split('+');
  const target = raw.slice(colon + 1);
  const tool = TOOL_NAMES.find((t) => t === toolName);
  if (tool === undefined || tool === 'shell') {
    return `${SECRETS_SOURCE_TAG} entry "${raw}": ecsops cannot re-expand sources of "${toolName}"`;
  }
  const source: RecordedSource = {
    raw,
    tool,
    kind: 'path',
    target,
    recursive: false,
    strict: false,
    entirePath: false,
    prefix: '',
  };
  let pathMode: 'recursive' | 'onelevel' | undefined;
  for (const m of modifiers) {
    if (m === 'recursive' || m === 'onelevel') pathMode = m;
    else if (m === 'strict') source.strict = true;
    else if (m === 'entirepath') source.entirePath = true;
    else if (m.startsWith('prefix=')) source.prefix = m.slice('prefix='.length);
    else return `${SECRETS_SOURCE_TAG} entry "${raw}": unknown option "${m}"`;
  }
  if (tool === 'chamber' && target.startsWith('secretsmanager:')) {
    return { ...source, kind: 'secret', target: target.slice('secretsmanager:'.length) };
  }
  if (!target.startsWith('/')) return `${SECRETS_SOURCE_TAG} entry "${raw}" names no SSM path`;
  switch (tool) {
    case 'chamber':
      return { ...source, recursive: false };
    case 'aws-env':
      return { ...source, recursive: pathMode === 'recursive' };
    case 'parameter-store-exec':
      return { ...source, recursive: true };
    case 'ssm-env':
      return { ...source, kind: 'name' };
    case 'ssmwrap':
      // Before paths were marked `+onelevel`, `ssmwrap:/x` was a name or a one-level path; resolved per
      // definition (resolveLegacySources).
      return pathMode === undefined
        ? { ...source, kind: 'name' }
        : { ...source, recursive: pathMode === 'recursive' };
  }
}

/** Where the definition lives: ARNs of new entries are built for this region and account. */
export interface DriftHome {
  region: string;
  account: string | undefined;
  partition?: string | undefined;
}

/** First phase: the recorded sources of a definition and the metadata to fetch for them. */
export interface DriftPreparation {
  parsed: ParsedTaskDefinition;
  home: DriftHome;
  /** The tag value; undefined when the definition has no `ecsops:secrets-source` tag. */
  tag: string | undefined;
  sources: RecordedSource[];
  problems: string[];
  /** DescribeParameters lookups (paths and exact names) the command runs before `findSecretsDriftIn`. */
  queries: ParameterQuery[];
}

/** Reads the tag of a definition and lists the metadata lookups its sources need. */
export function prepareSecretsDrift(parsed: ParsedTaskDefinition, home: DriftHome): DriftPreparation {
  const tag = parsed.tags.find((t) => t.key === SECRETS_SOURCE_TAG)?.value;
  if (tag === undefined) return { parsed, home, tag, sources: [], problems: [], queries: [] };
  const recorded = parseSecretsSourceTag(tag);
  const sources = resolveLegacySources(recorded.sources, parsed, home);
  const queries: ParameterQuery[] = [];
  const names = new Set<string>();
  for (const s of sources) {
    if (s.kind === 'path') queries.push({ kind: 'path', path: s.target, recursive: s.recursive });
    if (s.kind === 'name') names.add(s.target);
    if (s.kind === 'secret') queries.push({ kind: 'secret', secretId: s.target });
  }
  if (names.size > 0) queries.push({ kind: 'names', names: [...names] });
  return { parsed, home, tag, sources, problems: recorded.problems, queries: dedupeQueries(queries) };
}

// An old `ssmwrap:/x` is an exact name when a secret references /x itself, else a one-level path.
function resolveLegacySources(
  sources: RecordedSource[],
  parsed: ParsedTaskDefinition,
  home: DriftHome,
): RecordedSource[] {
  const referenced = new Set(
    parsed.view.containers.flatMap((c) =>
      c.secrets.map((s) => localParameterName(s.valueFrom, home)).filter((n) => n !== undefined),
    ),
  );
  return sources.map((s) =>
    s.tool === 'ssmwrap' && s.kind === 'name' && !s.raw.includes('+') && !referenced.has(s.target)
      ? { ...s, kind: 'path', recursive: false }
      : s,
  );
}

function dedupeQueries(queries: ParameterQuery[]): ParameterQuery[] {
  const seen = new Set<string>();
  return queries.filter((q) => {
    const key = JSON.stringify(q);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** What changed between a source and the definition. */
export type SecretsDriftKind = 'added' | 'deleted' | 'changed';

/** One difference, naming the env var and the parameter. */
export interface SecretsDriftItem {
  kind: SecretsDriftKind;
  container: string;
  /** The env var (the `secrets` entry's `name`). */
  name: string;
  /** `added`/`changed`: the parameter the source maps to now; `deleted`: the parameter that is gone. */
  parameter: string;
  /** The recorded source, e.g. `chamber:/billing/`. */
  source: string;
  /** `added`/`changed`: the `valueFrom` sync writes; `deleted`: the `valueFrom` in the definition. */
  valueFrom: string;
  /** `changed`: the parameter the definition reads today. */
  previousParameter?: string | undefined;
  /** `changed`: why (another parameter now wins the name, or the parameter's type changed). */
  detail?: string | undefined;
  /**
   * `added` only: the name is already taken in this container by a hand-added secret or an
   * `environment` entry; sync keeps what is there and does not add it.
   */
  conflict?: 'secret' | 'environment' | undefined;
}

/** The comparison of one definition with its recorded sources. */
export interface SecretsDrift {
  /** The recorded sources, as in the tag. */
  sources: string[];
  /** False when the definition has no `ecsops:secrets-source` tag (nothing to compare). */
  tagged: boolean;
  items: SecretsDriftItem[];
  /** Parts that could not be compared (the definition may still drift there). */
  problems: string[];
  /** Sources that cannot be re-expanded from metadata, with why. */
  notes: string[];
}

// A source's secrets in one container, as the definition has them today.
interface AttributedSecret {
  entry: SecretEntry;
  parameter: string;
  source: RecordedSource;
}

/** The parameter name a `valueFrom` reads, when it is an SSM parameter of the definition's own region and account. */
export function localParameterName(valueFrom: string, home: DriftHome): string | undefined {
  const ref = parseSecretReference(valueFrom);
  if (ref.kind === 'ssm-name' && ref.selector === undefined) return ref.name;
  if (ref.kind === 'ssm-arn' && ref.selector === undefined && ref.region === home.region) {
    if (home.account === undefined || ref.account === home.account) return ref.name;
  }
  return undefined;
}

function covers(source: RecordedSource, parameter: string): boolean {
  if (source.kind === 'name') return parameter === source.target;
  if (source.kind !== 'path') return false;
  return source.recursive ? isUnder(parameter, source.target) : isDirectChild(parameter, source.target);
}

// The env name the source's wrapper gives `parameter` (undefined: any name, as ssm-env keeps its own).
function ruleName(source: RecordedSource, parameter: string): string | undefined {
  switch (source.tool) {
    case 'chamber': {
      const prefix = source.target.endsWith('/') ? source.target : `${source.target}/`;
      return chamberEnvName(parameter.slice(prefix.length));
    }
    case 'aws-env':
      return awsEnvName(parameter, source.target);
    case 'parameter-store-exec':
      return parameterStoreExecEnvName(parameter, source.target);
    case 'ssmwrap':
      return ssmwrapEnvName(parameter, source.prefix, source.entirePath);
    case 'ssm-env':
    case 'shell':
      return undefined;
  }
}

// The source a secret came from: its parameter is covered by the source and its name is the one the
// wrapper gives that parameter. Anything else was added (or renamed) by hand.
function attribute(
  container: ContainerView,
  sources: readonly RecordedSource[],
  home: DriftHome,
): AttributedSecret[] {
  const out: AttributedSecret[] = [];
  for (const entry of container.secrets) {
    const parameter = localParameterName(entry.valueFrom, home);
    if (parameter === undefined) continue;
    const source = sources.find((s) => {
      if (!covers(s, parameter)) return false;
      const name = ruleName(s, parameter);
      return name === undefined || name === entry.name;
    });
    if (source !== undefined) out.push({ entry, parameter, source });
  }
  return out;
}

// One re-expansion per wrapper per container, through the adapter's own `plan`, sources in tag order
// (chamber and ssmwrap v2 let a later source win a name).
function expand(
  tool: ToolName,
  sources: readonly RecordedSource[],
  attributed: readonly AttributedSecret[],
  container: ContainerView,
  catalogue: ParameterCatalogue,
  ctx: ToolContext,
): ToolPlan | undefined {
  const toolContainer: ToolContainer = { name: container.name, argv: undefined, environment: [] };
  switch (tool) {
    case 'chamber': {
      const strict = sources.some((s) => s.strict);
      const config: ChamberConfig = {
        backend: 'ssm',
        services: sources.map((s) => s.target.replace(/^\/+|\/+$/g, '')),
        strict,
        strictValue: 'chamberme',
        pristine: false,
        // Under --strict only the sentinel names were exported: the names the definition has.
        sentinels: strict ? attributed.map((a) => a.entry.name) : [],
      };
      return chamber.plan(config, toolContainer, catalogue, ctx);
    }
    case 'aws-env': {
      const s = sources[0] as RecordedSource;
      return awsEnv.plan({ path: s.target, recursive: s.recursive }, toolContainer, catalogue, ctx);
    }
    case 'parameter-store-exec': {
      const s = sources[0] as RecordedSource;
      return parameterStoreExec.plan({ path: s.target }, toolContainer, catalogue, ctx);
    }
    case 'ssm-env': {
      const config: SsmEnvConfig = {
        mappings: attributed.map((a) => ({ envName: a.entry.name, parameterName: a.parameter })),
        withDecryption: true,
        noFail: false,
        wrapperInArgv: true,
      };
      return ssmEnv.plan(config, toolContainer, catalogue, ctx);
    }
    case 'ssmwrap': {
      const rules: SsmwrapRule[] = sources.map((s) => ({
        target:
          s.kind === 'name'
            ? { kind: 'name', name: s.target }
            : { kind: 'path', path: s.target, recursive: s.recursive },
        prefix: s.prefix,
        entirePath: s.entirePath,
        origin: s.raw,
      }));
      // The tag does not record v1 or v2; v2's rule (a later rule wins a name) is the one a migrated
      // definition can have: v1 collisions were refused at migration.
      const config: SsmwrapConfig = { version: 'v2', rules };
      return ssmwrap.plan(config, toolContainer, catalogue, ctx);
    }
    case 'shell':
      return undefined;
  }
}

// Refusals that only say a parameter or a whole path is gone: `deleted` items say that, per secret.
const GONE = /no parameters under|has no parameter under|does not exist/;

/**
 * Second phase: compares each container's `secrets` with its recorded sources re-expanded from
 * `catalogue` (the metadata `prep.queries` fetched). Pure.
 */
export function findSecretsDriftIn(
  prep: DriftPreparation,
  catalogue: ParameterCatalogue,
  /** Lookups the command could not make (e.g. DescribeSecret denied), each naming what was not compared. */
  readProblems: readonly string[] = [],
): SecretsDrift {
  const { parsed, home, sources } = prep;
  const problems = [...prep.problems, ...readProblems];
  const notes: string[] = [];
  const items: SecretsDriftItem[] = [];
  if (prep.tag === undefined) return { sources: [], tagged: false, items, problems, notes };
  for (const s of sources) {
    if (s.kind !== 'secret') continue;
    notes.push(
      `${s.raw}: the keys of a chamber Secrets Manager secret are only known from its value, which ecsops never reads; only whether the secret still exists is compared`,
    );
    // Not described (denied): the command has already said so in `readProblems`.
    if (readProblems.some((p) => p.startsWith(`cannot describe secret ${s.target} (`))) continue;
    if (catalogue.secret(s.target) === undefined) items.push(...goneSecretItems(s, parsed, home));
  }
  const comparable = sources.filter((s) => s.kind !== 'secret');
  const containers = parsed.view.containers;
  const perContainer = containers.map((c) => ({ container: c, attributed: attribute(c, comparable, home) }));
  const sourcesOf = new Map<ContainerView, RecordedSource[]>();
  for (const s of comparable) {
    let readers = perContainer.filter((p) => p.attributed.some((a) => a.source === s));
    // Every secret of the source was removed by hand: with one container it can only be that one.
    if (readers.length === 0 && containers.length === 1) readers = perContainer;
    if (readers.length === 0) {
      problems.push(
        `${s.raw}: no container has a secret from it, so ecsops cannot tell which container reads it`,
      );
    }
    for (const r of readers) sourcesOf.set(r.container, [...(sourcesOf.get(r.container) ?? []), s]);
  }
  const ctx: ToolContext = { region: home.region };
  for (const { container, attributed } of perContainer) {
    const own = sourcesOf.get(container) ?? [];
    if (own.length === 0) continue;
    const style = valueFromStyle(attributed);
    const expected = new Map<string, { parameter: string; type: string; source: RecordedSource }>();
    for (const tool of [...new Set(own.map((s) => s.tool))]) {
      const toolSources = own.filter((s) => s.tool === tool);
      const plan = expand(
        tool,
        toolSources,
        attributed.filter((a) => a.source.tool === tool),
        container,
        catalogue,
        ctx,
      );
      if (plan === undefined) continue;
      for (const r of plan.refusals) {
        if (!GONE.test(r)) problems.push(`${container.name}: ${r}`);
      }
      for (const secret of plan.secrets) {
        if (secret.source.kind !== 'ssm') continue;
        const parameter = secret.source.parameterName;
        const source = toolSources.find((s) => covers(s, parameter)) ?? (toolSources[0] as RecordedSource);
        // parameter-store-exec leaves an env var that is already set alone.
        if (plan.precedence === 'env-wins' && container.environment.some((e) => e.name === secret.name))
          continue;
        expected.set(secret.name, { parameter, type: secret.source.parameter.type, source });
      }
    }
    const current = new Map(attributed.map((a) => [a.entry.name, a]));
    for (const a of attributed) {
      const now = expected.get(a.entry.name);
      const gone = catalogue.byName(a.parameter) === undefined;
      if (now !== undefined && now.parameter !== a.parameter) {
        // Another parameter gives the name now: a later source took it over, or the one the
        // definition reads is gone and an earlier source still has the name.
        items.push({
          kind: 'changed',
          container: container.name,
          name: a.entry.name,
          parameter: now.parameter,
          previousParameter: a.parameter,
          source: now.source.raw,
          valueFrom: valueFromFor(now.parameter, catalogue, home, style),
          detail: gone
            ? `${a.parameter} is gone; the wrapper now takes ${a.entry.name} from ${now.parameter}`
            : `${now.parameter} now gives ${a.entry.name} (a later source wins)`,
        });
      } else if (gone) {
        items.push({
          kind: 'deleted',
          container: container.name,
          name: a.entry.name,
          parameter: a.parameter,
          source: a.source.raw,
          valueFrom: a.entry.valueFrom,
        });
      }
    }
    for (const [name, now] of expected) {
      if (current.has(name)) continue;
      const handSecret = container.secrets.some((s) => s.name === name);
      const inEnvironment = container.environment.some((e) => e.name === name);
      items.push({
        kind: 'added',
        container: container.name,
        name,
        parameter: now.parameter,
        source: now.source.raw,
        valueFrom: valueFromFor(now.parameter, catalogue, home, style),
        ...(handSecret ? { conflict: 'secret' } : inEnvironment ? { conflict: 'environment' } : {}),
      });
    }
  }
  return {
    sources: sources.map((s) => s.raw),
    tagged: true,
    items: items.sort(byContainerThenName),
    problems,
    notes,
  };
}

// The secret of a chamber -b secretsmanager source is gone (DescribeSecret: not found, or scheduled
// for deletion): every entry of the definition's region that reads it fails at the next task start.
function goneSecretItems(
  source: RecordedSource,
  parsed: ParsedTaskDefinition,
  home: DriftHome,
): SecretsDriftItem[] {
  const items: SecretsDriftItem[] = [];
  for (const c of parsed.view.containers) {
    for (const entry of c.secrets) {
      const ref = parseSecretReference(entry.valueFrom);
      if (ref.kind !== 'secretsmanager-arn' || ref.secretName !== source.target) continue;
      if (ref.region !== home.region) continue;
      items.push({
        kind: 'deleted',
        container: c.name,
        name: entry.name,
        parameter: ref.jsonKey === undefined ? ref.secretName : `${ref.secretName} key ${ref.jsonKey}`,
        source: source.raw,
        valueFrom: entry.valueFrom,
      });
    }
  }
  return items;
}

function byContainerThenName(a: SecretsDriftItem, b: SecretsDriftItem): number {
  return a.container.localeCompare(b.container) || a.name.localeCompare(b.name);
}

// New entries follow what the source's existing entries use: names (`--value-from name`) or ARNs.
function valueFromStyle(attributed: readonly AttributedSecret[]): 'arn' | 'name' {
  if (attributed.length === 0) return 'arn';
  return attributed.every((a) => !a.entry.valueFrom.startsWith('arn:')) ? 'name' : 'arn';
}

function valueFromFor(
  parameter: string,
  catalogue: ParameterCatalogue,
  home: DriftHome,
  style: 'arn' | 'name',
): string {
  if (style === 'name') return parameter;
  const arn = catalogue.byName(parameter)?.arn;
  if (arn !== undefined) return arn;
  // Without the account a name is still a valid same-region reference.
  if (home.account === undefined) return parameter;
  return ssmParameterArn(
    home.partition ?? partitionForRegion(home.region),
    home.region,
    home.account,
    parameter,
  );
}

/** What `secrets sync` would register: the definition with its `secrets` matching the sources again. */
export interface SecretsSyncPlan {
  status: 'sync' | 'nothing-to-do' | 'refused';
  /** The items sync applies (conflicting `added` items are left out, see `kept`). */
  applied: SecretsDriftItem[];
  /** `added` items not applied because the name is taken (the hand-added secret or env entry stays). */
  kept: SecretsDriftItem[];
  refusals: string[];
  /** The edited document and its RegisterTaskDefinition input (`sync` only). */
  document?: unknown;
  registerInput?: JsonObject | undefined;
  sizeBytes?: number | undefined;
}

/**
 * Plans the edit that makes a definition's `secrets` match its sources: deleted entries removed,
 * changed entries re-pointed in place, added entries appended; hand-added secrets, the rest of the
 * definition and its tags (the source tag included) stay exactly as they are. Pure.
 */
export function planSecretsSync(parsed: ParsedTaskDefinition, drift: SecretsDrift): SecretsSyncPlan {
  const kept = drift.items.filter((i) => i.kind === 'added' && i.conflict !== undefined);
  const applied = drift.items.filter((i) => !(i.kind === 'added' && i.conflict !== undefined));
  if (!drift.tagged) {
    return {
      status: 'refused',
      applied: [],
      kept,
      refusals: [
        `the definition has no ${SECRETS_SOURCE_TAG} tag: it was not made by \`ecsops secrets migrate\`, so there is nothing to sync from`,
      ],
    };
  }
  if (drift.problems.length > 0) return { status: 'refused', applied: [], kept, refusals: drift.problems };
  if (applied.length === 0) return { status: 'nothing-to-do', applied, kept, refusals: [] };
  const edits: ContainerEdit[] = [];
  for (const c of parsed.view.containers) {
    const mine = applied.filter((i) => i.container === c.name);
    if (mine.length === 0) continue;
    edits.push({
      index: c.index,
      removeSecrets: mine.filter((i) => i.kind === 'deleted').map((i) => i.name),
      setSecrets: mine
        .filter((i) => i.kind === 'changed')
        .map((i) => ({ name: i.name, valueFrom: i.valueFrom })),
      addSecrets: mine
        .filter((i) => i.kind === 'added')
        .map((i) => ({ name: i.name, valueFrom: i.valueFrom })),
    });
  }
  const document = applyTaskDefinitionEdit(parsed, { containers: edits });
  const td = taskDefinitionObject(document, parsed.shape);
  const registerInput = td === undefined ? undefined : toRegisterInput(td, parsed.tags);
  const sizeBytes = taskDefinitionSizeBytes(registerInput ?? { containerDefinitions: document });
  if (sizeBytes > TASK_DEFINITION_SIZE_LIMIT) {
    return {
      status: 'refused',
      applied: [],
      kept,
      refusals: [`the synced task definition is ${sizeBytes} bytes, over the 64 KiB limit`],
      sizeBytes,
    };
  }
  return { status: 'sync', applied, kept, refusals: [], document, registerInput, sizeBytes };
}
