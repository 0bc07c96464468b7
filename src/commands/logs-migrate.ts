/**
 * `ecsops logs migrate`: move containers from the awslogs driver to FireLens (a Fluent Bit router),
 * optionally routing log kinds to their own destinations. This module is the planner's inputs (routes
 * file, router image, config delivery) and the task-role check; reading, output, register, service
 * update and rollback are the shared task-definition pipeline (src/commands/task-definition-pipeline.ts).
 * Facts and defaults: docs/firelens.md.
 */
import { readFile } from 'node:fs/promises';
import type { LogsCheckResult } from '../core/logs/check.js';
import {
  type ConfigDelivery,
  type ConfigObject,
  FLUENT_BIT_FALLBACK_VERSION,
  FLUENT_BIT_STABLE_PARAMETER,
  LOGS_SOURCE_TAG,
  type LogsMigrationPlan,
  planLogsMigration,
  versionFromStableParameter,
} from '../core/logs/migrate.js';
import { parseRoutes, parseS3Url, type RouteRule } from '../core/logs/routes.js';
import { isTaggedRegistration } from '../core/secrets/migrate.js';
import type { TaskDefinitionTag } from '../core/task-definition/parse.js';
import { ExitCode, InputError, UsageError } from '../errors.js';
import { logsMigrateMessages, showLogsPreview } from '../output/logs.js';
import type { CommandContext } from './context.js';
import { describeError } from './describe-error.js';
import { checkLogsRoles } from './logs-check.js';
import { resolveOneRegion } from './regions.js';
import { writeTaskDefinitionFile } from './task-definition-file.js';
import {
  type EditPlan,
  type Online,
  type PipelineOptions,
  type PrerequisiteChange,
  pipelineCommandLine,
  readOnline,
  readTaskDefinitionSource,
  runTaskDefinitionPipeline,
  stopIfInterrupted,
  type TaskDefinitionPipelineResult,
  type TaskDefinitionPipelineSpec,
} from './task-definition-pipeline.js';

/** How the generated Fluent Bit configuration is delivered (`--config-s3` / `--config-out`). */
export type LogsConfigOption =
  | { kind: 'none' }
  | { kind: 's3'; uri: string }
  | { kind: 'file'; path: string; imagePath: string };

/** Parsed flags of `ecsops logs migrate`. */
export interface LogsMigrateCommandOptions extends PipelineOptions {
  /** `--router-image`: the whole image reference (overrides the stable version). */
  routerImage?: string | undefined;
  keepMetadata: boolean;
  /** `--routes FILE`. */
  routesFile?: string | undefined;
  config: LogsConfigOption;
}

/** How the router image was chosen. */
export interface RouterImageChoice {
  image: string;
  source: 'flag' | 'ssm-stable' | 'fallback';
  version?: string | undefined;
  /** Why the stable parameter was not used (fallback only). */
  reason?: string | undefined;
}

/** The typed result of `logs migrate`; src/output/logs.ts renders it. */
export interface LogsMigrateResult extends TaskDefinitionPipelineResult<LogsCheckResult> {
  migration: LogsMigrationPlan;
  routerImage?: RouterImageChoice | undefined;
  /** `--config-s3`: each object, and whether it had to be uploaded. */
  configObjects: { uri: string; arn: string; upToDate: boolean }[];
  /** `--config-out`: the files written (undefined with --dry-run). */
  configFiles?: string[] | undefined;
}

const COMMAND = 'logs migrate';

/** `ecsops logs migrate`. */
export async function runLogsMigrate(
  options: LogsMigrateCommandOptions,
  ctx: CommandContext,
): Promise<LogsMigrateResult> {
  if (options.output.kind === 'in-place' && options.source.kind !== 'file') {
    throw new UsageError('--in-place needs --file.');
  }
  const delivery = readDelivery(options.config);
  if (options.config.kind === 'file' && options.routerImage === undefined) {
    throw new UsageError(
      '--config-out is for a custom router image that has the file baked in: pass --router-image IMAGE too.',
    );
  }
  // Rules are validated before anything is read from AWS or written.
  const rules = options.routesFile ? await readRoutesFile(options.routesFile) : [];

  // Read. Offline is possible only when nothing needs AWS: a file, no register, an explicit image.
  const offline =
    options.source.kind === 'file' &&
    options.apply.kind === 'none' &&
    options.config.kind !== 's3' &&
    options.routerImage !== undefined;
  const online = offline ? undefined : await readOnline(ctx, COMMAND);
  const region = online?.region ?? (await resolveOneRegion(ctx, COMMAND, { optional: true }));
  const source = await readTaskDefinitionSource(ctx, options.source, online);
  stopIfInterrupted(ctx);
  const routerImage = await chooseRouterImage(ctx, options.routerImage, online);
  stopIfInterrupted(ctx);

  // Plan.
  const migration = planLogsMigration(source.parsed, {
    routerImage:
      routerImage.source === 'flag'
        ? { kind: 'image', image: routerImage.image }
        : { kind: 'version', version: routerImage.version ?? FLUENT_BIT_FALLBACK_VERSION },
    keepMetadata: options.keepMetadata,
    rules,
    delivery,
    region,
    account: online?.account,
    partition: online?.partition ?? 'aws',
  });
  if (routerImage.source !== 'flag' && migration.status === 'migrated') {
    const init = migration.configObjects.length > 0;
    routerImage.image = `${routerImage.image.replace(/:[^:/]+$/, '')}:${init ? 'init-' : ''}${routerImage.version}`;
  }
  await refuseMissingLogGroups(ctx, online, migration);
  const configObjects =
    migration.status === 'migrated' ? await readConfigObjects(ctx, online, migration.configObjects) : [];
  const result: LogsMigrateResult = {
    exitCode: ExitCode.ok,
    status: migration.status,
    source: { kind: source.kind, label: source.label },
    dryRun: options.dryRun,
    migration,
    routerImage: migration.status === 'migrated' ? routerImage : undefined,
    refusals: migration.refusals,
    registerProblems: [],
    configObjects: configObjects.map((o) => ({
      uri: `s3://${o.object.bucket}/${o.object.key}`,
      arn: o.object.arn,
      upToDate: o.upToDate,
    })),
  };
  if (
    routerImage.source === 'flag' &&
    migration.configObjects.length > 0 &&
    !/:init-/.test(routerImage.image)
  ) {
    // Only the init image reads aws_fluent_bit_init_s3_N (docs/firelens.md "Init image").
    ctx.out.warn(
      `--router-image ${routerImage.image} is not an init- tag: the router loads --config-s3 objects only with the init image (e.g. ${FLUENT_BIT_FALLBACK_VERSION} → init-${FLUENT_BIT_FALLBACK_VERSION}).`,
    );
  }
  if (routerImage.source === 'fallback' && migration.status === 'migrated') {
    ctx.out.warn(
      `could not read ${FLUENT_BIT_STABLE_PARAMETER} (${routerImage.reason}); pinning the router to ${routerImage.version}, the stable version ecsops was released with. Pass --router-image to choose.`,
    );
  }

  if (
    migration.status === 'migrated' &&
    options.config.kind === 'file' &&
    migration.config &&
    !options.dryRun
  ) {
    result.configFiles = await writeConfigFiles(options.config.path, migration);
  }

  const toUpload = configObjects.filter((o) => !o.upToDate);
  const s3 = online ? () => ctx.aws.s3(online.region) : undefined;
  const plan: EditPlan<LogsMigrateResult> =
    migration.status !== 'migrated'
      ? { kind: migration.status, result }
      : {
          kind: 'edit',
          result,
          document: migration.document,
          registerInput: migration.registerInput,
          register:
            migration.registerInput === undefined
              ? undefined
              : { ...migration.registerInput, tags: withLogsTag(source.parsed.tags) },
          preview: (out, before, after) =>
            showLogsPreview(out, { label: source.label, before, after, migration }),
          prerequisites:
            toUpload.length > 0 && s3
              ? {
                  changes: toUpload.map(
                    (o): PrerequisiteChange => ({
                      kind: 'prerequisite',
                      action: 'put-object',
                      label: `upload the Fluent Bit configuration to s3://${o.object.bucket}/${o.object.key}`,
                      resource: `s3://${o.object.bucket}/${o.object.key}`,
                    }),
                  ),
                  apply: async (c) => {
                    const o = toUpload.find((x) => `s3://${x.object.bucket}/${x.object.key}` === c.resource);
                    if (!o) throw new Error(`BUG: no object for ${c.resource}`);
                    await (await s3()).putTextObject(o.object.bucket, o.object.key, o.object.body);
                  },
                }
              : undefined,
        };
  const spec: TaskDefinitionPipelineSpec<LogsCheckResult> = {
    command: COMMAND,
    isSameRegistration: (planned, registered) => isTaggedRegistration(planned, registered, LOGS_SOURCE_TAG),
    check: async (checkCtx, input) => {
      const report = await checkLogsRoles(checkCtx, {
        taskDefinition: input.taskDefinition,
        region: input.region,
        account: input.account,
        partition: online?.partition,
        label: `${typeof input.taskDefinition.family === 'string' ? input.taskDefinition.family : 'task'} (new revision)`,
        routed: migration.routedDestinations,
      });
      return {
        status: report.result.status,
        result: report.result,
        refusals: report.result.findings.map((f) => ({ container: f.container, reason: f.message })),
        fixable:
          report.fixChanges.length > 0 &&
          report.result.findings.every((f) => !f.message.includes('explicitly denied')),
        planFixes: async () => report.fixChanges,
      };
    },
    commandLine: (extra) => logsCommandLine(options, online?.region ?? region ?? '', extra),
    messages: logsMigrateMessages,
  };
  return runTaskDefinitionPipeline(ctx, options, spec, { source, online, plan });
}

/** The command line that re-runs this migration with `extra` flags. */
export function logsCommandLine(
  options: LogsMigrateCommandOptions,
  region: string,
  extra: readonly string[],
): string {
  const flags: string[] = [];
  if (options.routerImage) flags.push('--router-image', options.routerImage);
  if (options.keepMetadata) flags.push('--keep-metadata');
  if (options.routesFile) flags.push('--routes', options.routesFile);
  if (options.config.kind === 's3') flags.push('--config-s3', options.config.uri);
  if (options.config.kind === 'file') flags.push('--config-out', options.config.path);
  return pipelineCommandLine({ command: ['logs', 'migrate'], region, options, commandFlags: flags, extra });
}

function readDelivery(config: LogsConfigOption): ConfigDelivery {
  if (config.kind === 'none') return { kind: 'none' };
  if (config.kind === 'file') return { kind: 'file', imagePath: config.imagePath };
  const url = parseS3Url(config.uri);
  if (!url) throw new UsageError(`--config-s3 ${config.uri}: expected s3://BUCKET/PREFIX/`);
  const prefix = url.prefix === '' || url.prefix.endsWith('/') ? url.prefix : `${url.prefix}/`;
  return { kind: 's3', bucket: url.bucket, prefix };
}

async function readRoutesFile(path: string): Promise<RouteRule[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new InputError(`Cannot read --routes ${path}: ${describeError(error)}`);
  }
  const parsed = parseRoutes(text);
  if (!parsed.ok) {
    const first = parsed.problems[0];
    throw new InputError(
      `--routes ${path}: ${parsed.problems.map((p) => `${p.path || '(file)'}: ${p.message}`).join('; ')}`,
      {
        ...(first && parsed.problems.length === 1 ? { path: first.path } : {}),
        hint: 'Nothing was written.',
      },
    );
  }
  return parsed.rules;
}

// AWS publishes the current stable version as a public SSM parameter; it is read at migration time
// and the version it names is pinned (never `stable` or `latest`). See docs/firelens.md "Image".
async function chooseRouterImage(
  ctx: CommandContext,
  flag: string | undefined,
  online: Online | undefined,
): Promise<RouterImageChoice> {
  const { FLUENT_BIT_IMAGE_REPOSITORY } = await import('../core/logs/migrate.js');
  if (flag !== undefined) {
    if (/:(latest|stable)$/.test(flag) || !/:[^/]+$/.test(flag)) {
      throw new UsageError(`--router-image ${flag}: give a pinned tag (not latest or stable, and not none).`);
    }
    return { image: flag, source: 'flag' };
  }
  const fallback = (reason: string): RouterImageChoice => ({
    image: `${FLUENT_BIT_IMAGE_REPOSITORY}:${FLUENT_BIT_FALLBACK_VERSION}`,
    source: 'fallback',
    version: FLUENT_BIT_FALLBACK_VERSION,
    reason,
  });
  if (!online) return fallback('offline');
  try {
    const value = await (await ctx.aws.ssm(online.region)).readPublicParameter(FLUENT_BIT_STABLE_PARAMETER);
    if (value === undefined) return fallback(`the parameter does not exist in ${online.region}`);
    const version = versionFromStableParameter(value);
    if (version === undefined) return fallback(`its value ${value} names no version tag`);
    return { image: `${FLUENT_BIT_IMAGE_REPOSITORY}:${version}`, source: 'ssm-stable', version };
  } catch (error) {
    return fallback(describeError(error));
  }
}

// A routed group is written by an output that does not create groups: it must exist already.
async function refuseMissingLogGroups(
  ctx: CommandContext,
  online: Online | undefined,
  migration: LogsMigrationPlan,
): Promise<void> {
  if (migration.status !== 'migrated' || !online) return;
  const byRegion = new Map<string, Set<string>>();
  for (const r of migration.routedDestinations) {
    if (r.destination.kind !== 'logGroup') continue;
    const set = byRegion.get(r.destination.region) ?? new Set<string>();
    set.add(r.destination.logGroup);
    byRegion.set(r.destination.region, set);
  }
  const missing: string[] = [];
  for (const [region, names] of byRegion) {
    const found = await (await ctx.aws.logs(region)).findExistingLogGroups([...names]);
    for (const n of names) if (!found.has(n)) missing.push(`${n} (${region})`);
  }
  if (missing.length === 0) return;
  migration.status = 'refused';
  migration.document = undefined;
  migration.registerInput = undefined;
  migration.refusals = missing.map((g) => ({
    container: '*',
    reason: `routed log group ${g} does not exist; create it first (ecsops does not create log groups for routes)`,
  }));
}

async function readConfigObjects(
  ctx: CommandContext,
  online: Online | undefined,
  objects: readonly ConfigObject[],
): Promise<{ object: ConfigObject; upToDate: boolean }[]> {
  if (objects.length === 0) return [];
  if (!online) throw new Error('BUG: --config-s3 without AWS access');
  const s3 = await ctx.aws.s3(online.region);
  const { contentSha256 } = await import('../aws/s3.js');
  return Promise.all(
    objects.map(async (object) => {
      const state = await s3.readObjectState(object.bucket, object.key);
      return { object, upToDate: state.exists && state.sha256 === contentSha256(object.body) };
    }),
  );
}

async function writeConfigFiles(path: string, migration: LogsMigrationPlan): Promise<string[]> {
  const config = migration.config;
  if (!config) return [];
  const written: string[] = [];
  const main = await writeTaskDefinitionFile(path, config.main, { backup: false, bom: false });
  written.push(main.written);
  if (config.parsers) {
    const parsers = await writeTaskDefinitionFile(`${path}.parsers.conf`, config.parsers, {
      backup: false,
      bom: false,
    });
    written.push(parsers.written);
  }
  return written;
}

function withLogsTag(tags: readonly TaskDefinitionTag[]): TaskDefinitionTag[] {
  return [
    ...tags.filter((t) => t.key !== LOGS_SOURCE_TAG),
    { key: LOGS_SOURCE_TAG, value: 'awslogs-to-firelens' },
  ];
}
