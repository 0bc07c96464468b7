/**
 * `ecsops secrets drift`: for each migrated task definition (one revision, or the revisions the
 * services of a cluster run, each read once) re-expand the sources recorded in its
 * `ecsops:secrets-source` tag from parameter metadata (DescribeParameters, never a value) and compare
 * with its `secrets`. Read-only. Exit 1 on drift, 3 when some part could not be read or compared.
 * `findSecretsDrift` is the per-definition entry point other commands (`ecsops audit`) call.
 */
import type { TaskDefinitionRecord } from '../aws/ecs.js';
import { memo } from '../core/concurrency.js';
import { regionOfArn } from '../core/ecs-types.js';
import { createParameterCatalogue } from '../core/secrets/catalogue.js';
import type { Lookup, SecretMetadataState } from '../core/secrets/check.js';
import {
  type DriftHome,
  findSecretsDriftIn,
  prepareSecretsDrift,
  type SecretsDrift,
} from '../core/secrets/drift.js';
import type {
  ParameterCatalogue,
  ParameterMetadata,
  ParameterQuery,
  SecretMetadata,
} from '../core/secrets/tools/types.js';
import { type ParsedTaskDefinition, readTaskDefinitionDocument } from '../core/task-definition/parse.js';
import { ExitCode, InputError, InterruptedError } from '../errors.js';
import type { CommandResult } from '../output/present.js';
import type { CommandContext } from './context.js';
import { describeError } from './describe-error.js';
import { readAll } from './read-all.js';
import { resolveOneRegion } from './regions.js';

/** Which task definitions to compare. */
export type SecretsDriftTarget =
  | { kind: 'task-def'; taskDef: string }
  | { kind: 'cluster'; cluster: string; services: { kind: 'all' } | { kind: 'names'; names: string[] } };

/** Parsed flags of `secrets drift`. */
export interface SecretsDriftOptions {
  target: SecretsDriftTarget;
}

/** One task definition's comparison (or why it could not be made). */
export interface TaskDefinitionDrift {
  /** `family:revision`. */
  label: string;
  taskDefinitionArn: string | undefined;
  region: string;
  account: string | undefined;
  /** The services (of `--cluster`) that run this revision. */
  services: string[];
  drift?: SecretsDrift | undefined;
  /** The revision or its parameters could not be read. */
  error?: string | undefined;
}

/** The typed result of `secrets drift`; src/output/secrets-drift.ts renders it. */
export interface SecretsDriftResult extends CommandResult {
  cluster?: string | undefined;
  taskDefinitions: TaskDefinitionDrift[];
}

/**
 * DescribeParameters answers shared by every definition of a run (services usually share paths), so
 * each path or name list is listed once per account and region. Keys are `account region query`.
 */
export interface SecretsDriftReads {
  parameters: Map<string, Promise<ParameterMetadata[]>>;
  /** `account region secretId` -> DescribeSecret (chamber `-b secretsmanager` sources). */
  secrets: Map<string, Promise<Lookup<SecretMetadataState>>>;
}

/** An empty read cache for one run. */
export function createSecretsDriftReads(): SecretsDriftReads {
  return { parameters: new Map(), secrets: new Map() };
}

const COMMAND = 'secrets drift';

/** Where a registered revision lives: region, account and partition from its ARN. */
export function driftHome(record: TaskDefinitionRecord, region: string): DriftHome {
  const arn = record.taskDefinition.taskDefinitionArn;
  const parts = typeof arn === 'string' ? arn.split(':') : [];
  return {
    region: (typeof arn === 'string' ? regionOfArn(arn) : undefined) ?? region,
    account: /^\d{12}$/.test(parts[4] ?? '') ? parts[4] : undefined,
    partition: parts[1] || undefined,
  };
}

/** The parsed revision, its home and its drift, read from metadata only. */
export interface ReadSecretsDrift {
  parsed: ParsedTaskDefinition;
  home: DriftHome;
  drift: SecretsDrift;
  catalogue: ParameterCatalogue;
}

/**
 * Compares one registered revision (DescribeTaskDefinition output with its tags) with its recorded
 * sources. Reads only parameter metadata, through `reads` when given (share it across a run).
 * Throws when a DescribeParameters call fails. For `ecsops audit`: one call per task definition in use.
 */
export async function findSecretsDrift(
  ctx: CommandContext,
  region: string,
  record: TaskDefinitionRecord,
  reads: SecretsDriftReads = createSecretsDriftReads(),
): Promise<SecretsDrift> {
  return (await readSecretsDrift(ctx, region, record, reads)).drift;
}

/** `findSecretsDrift` with what it read, for `secrets sync` to plan from. */
export async function readSecretsDrift(
  ctx: CommandContext,
  region: string,
  record: TaskDefinitionRecord,
  reads: SecretsDriftReads = createSecretsDriftReads(),
): Promise<ReadSecretsDrift> {
  const parsed = readTaskDefinitionDocument(record, revisionLabel(record));
  return readParsedSecretsDrift(ctx, parsed, driftHome(record, region), reads);
}

/** `readSecretsDrift` for a definition already parsed (a `--file`, or the pipeline's source). */
export async function readParsedSecretsDrift(
  ctx: CommandContext,
  parsed: ParsedTaskDefinition,
  home: DriftHome,
  reads: SecretsDriftReads = createSecretsDriftReads(),
): Promise<ReadSecretsDrift> {
  const prep = prepareSecretsDrift(parsed, home);
  const { catalogue, problems } = await readCatalogue(ctx, home, prep.queries, reads);
  return { parsed, home, catalogue, drift: findSecretsDriftIn(prep, catalogue, problems) };
}

async function readCatalogue(
  ctx: CommandContext,
  home: DriftHome,
  queries: readonly ParameterQuery[],
  reads: SecretsDriftReads,
): Promise<{ catalogue: ParameterCatalogue; problems: string[] }> {
  if (queries.length === 0) return { catalogue: createParameterCatalogue([]), problems: [] };
  const { region } = home;
  // Keyed by account too: one cache may serve a fleet run (ecsops audit over several accounts).
  const where = `${home.account ?? '?'} ${region}`;
  const ssm = await ctx.aws.ssm(region);
  const problems: string[] = [];
  const secrets: SecretMetadata[] = [];
  const lists = await Promise.all(
    queries.map(async (q): Promise<ParameterMetadata[]> => {
      if (q.kind === 'secret') {
        const sm = await ctx.aws.secretsManager(region);
        const found = await memo(reads.secrets, `${where} ${q.secretId}`, () =>
          sm.readSecretMetadata(q.secretId),
        );
        if (found.status === 'found') secrets.push({ name: q.secretId, arn: found.value.arn });
        if (found.status === 'unreadable') {
          problems.push(`cannot describe secret ${q.secretId} (${found.lackingPermission}): not compared`);
        }
        return [];
      }
      const key = `${where} ${JSON.stringify(q)}`;
      return memo(reads.parameters, key, () =>
        q.kind === 'names'
          ? ssm.describeParametersByName(q.names)
          : ssm.describeParametersByPath(normalisePath(q.path), q.recursive),
      );
    }),
  );
  const byName = new Map<string, ParameterMetadata>();
  for (const list of lists) for (const p of list) byName.set(p.name, p);
  return { catalogue: createParameterCatalogue([...byName.values()], secrets), problems };
}

// DescribeParameters' Path filter takes `/a/b`, not `/a/b/` (the root `/` stays as it is).
function normalisePath(path: string): string {
  return path.length > 1 ? path.replace(/\/+$/, '') : path;
}

/** `family:revision` of a described revision. */
export function revisionLabel(record: TaskDefinitionRecord): string {
  const td = record.taskDefinition;
  if (typeof td.family === 'string' && typeof td.revision === 'number') return `${td.family}:${td.revision}`;
  const arn = td.taskDefinitionArn;
  return typeof arn === 'string' ? (arn.split('/').pop() ?? arn) : 'task definition';
}

function stopIfInterrupted(ctx: CommandContext): void {
  if (ctx.signal.aborted) throw new InterruptedError('Interrupted while reading: nothing was changed.');
}

interface RevisionToRead {
  taskDefinition: string;
  services: string[];
}

// The revisions to compare: the one named, or each distinct revision the cluster's services run.
async function revisionsToRead(
  ctx: CommandContext,
  target: SecretsDriftTarget,
  region: string,
): Promise<RevisionToRead[]> {
  if (target.kind === 'task-def') return [{ taskDefinition: target.taskDef, services: [] }];
  const ecs = await ctx.aws.ecs(region);
  const names =
    target.services.kind === 'all' ? await ecs.listServiceArns(target.cluster) : target.services.names;
  stopIfInterrupted(ctx);
  if (names.length === 0) throw new InputError(`No services in ${target.cluster}.`);
  const { services, missing } = await ecs.describeServices(target.cluster, names);
  stopIfInterrupted(ctx);
  if (missing.length > 0) {
    throw new InputError(`Service not found in ${target.cluster}: ${missing.join(', ')}`, {
      hint: 'Check the names and --region.',
    });
  }
  const byRevision = new Map<string, string[]>();
  for (const s of services) {
    if (s.taskDefinition === '') continue;
    byRevision.set(s.taskDefinition, [...(byRevision.get(s.taskDefinition) ?? []), s.serviceName]);
  }
  return [...byRevision].map(([taskDefinition, serviceNames]) => ({
    taskDefinition,
    services: serviceNames,
  }));
}

/** `ecsops secrets drift`. */
export async function runSecretsDrift(
  options: SecretsDriftOptions,
  ctx: CommandContext,
): Promise<SecretsDriftResult> {
  const { target } = options;
  const named = target.kind === 'task-def' ? target.taskDef : target.cluster;
  const region = regionOfArn(named) ?? (await resolveOneRegion(ctx, COMMAND));
  const revisions = await revisionsToRead(ctx, target, region);
  const ecs = await ctx.aws.ecs(region);
  const reads = createSecretsDriftReads();
  // A named revision that does not exist is the user's input error; a cluster's revisions are read
  // and compared each on its own, so one failure is reported and the others still are.
  if (target.kind === 'task-def') {
    const record = await ecs.describeTaskDefinition(target.taskDef);
    stopIfInterrupted(ctx);
    return resultOf(undefined, [await compare(ctx, region, record, [], reads)]);
  }
  const compared = await readAll(ctx, revisions, async (r) => {
    let record: TaskDefinitionRecord;
    try {
      record = await ecs.describeTaskDefinition(r.taskDefinition);
    } catch (error) {
      if (ctx.signal.aborted) throw error;
      return {
        label: r.taskDefinition.split('/').pop() ?? r.taskDefinition,
        taskDefinitionArn: r.taskDefinition.startsWith('arn:') ? r.taskDefinition : undefined,
        region,
        account: undefined,
        services: r.services,
        error: describeError(error),
      } satisfies TaskDefinitionDrift;
    }
    return compare(ctx, region, record, r.services, reads);
  });
  stopIfInterrupted(ctx);
  return resultOf(target.cluster, compared);
}

async function compare(
  ctx: CommandContext,
  region: string,
  record: TaskDefinitionRecord,
  services: string[],
  reads: SecretsDriftReads,
): Promise<TaskDefinitionDrift> {
  const home = driftHome(record, region);
  const arn = record.taskDefinition.taskDefinitionArn;
  const base = {
    label: revisionLabel(record),
    taskDefinitionArn: typeof arn === 'string' ? arn : undefined,
    region: home.region,
    account: home.account,
    services,
  };
  try {
    return { ...base, drift: await findSecretsDrift(ctx, region, record, reads) };
  } catch (error) {
    if (ctx.signal.aborted) throw error;
    return { ...base, error: describeError(error) };
  }
}

function resultOf(cluster: string | undefined, taskDefinitions: TaskDefinitionDrift[]): SecretsDriftResult {
  return { cluster, taskDefinitions, exitCode: driftExitCode(taskDefinitions) };
}

/** 1 when any definition drifted, else 3 when any could not be read or fully compared, else 0. */
export function driftExitCode(taskDefinitions: readonly TaskDefinitionDrift[]): ExitCode {
  if (taskDefinitions.some((t) => (t.drift?.items.length ?? 0) > 0)) return ExitCode.findings;
  if (taskDefinitions.some((t) => t.error !== undefined || (t.drift?.problems.length ?? 0) > 0))
    return ExitCode.aws;
  return ExitCode.ok;
}
