/**
 * `ecsops secrets sync`: make a migrated definition's `secrets` match its recorded sources again.
 * This module is only the planner half: it reads the drift (parameter metadata, never values, see
 * secrets-drift.ts), plans the edit (core/secrets/drift.ts `planSecretsSync`) and hands it to the
 * shared task-definition pipeline, which checks the execution role, registers, points the service and
 * reports the rollback exactly as `secrets migrate` does. Hand-added secrets are kept; nothing is
 * ever deregistered.
 */
import type { SecretsCheckResult } from '../core/secrets/check.js';
import {
  type DriftHome,
  planSecretsSync,
  type SecretsDrift,
  type SecretsSyncPlan,
} from '../core/secrets/drift.js';
import { taskDefinitionObject } from '../core/task-definition/parse.js';
import { ExitCode, UsageError } from '../errors.js';
import { showSyncPreview } from '../output/secrets-sync.js';
import type { CommandContext } from './context.js';
import { createSecretsDriftReads, readParsedSecretsDrift } from './secrets-drift.js';
import { secretsPipelineSpec } from './secrets-migrate.js';
import {
  type EditPlan,
  type LoadedSource,
  type Online,
  type PipelineOptions,
  pipelineCommandLine,
  readOnline,
  readTaskDefinitionSource,
  runTaskDefinitionPipeline,
  stopIfInterrupted,
  type TaskDefinitionPipelineResult,
} from './task-definition-pipeline.js';

/** Parsed flags of `secrets sync`: the pipeline's (source, output, --register, --update-service, …). */
export type SecretsSyncOptions = PipelineOptions;

/** The typed result of `secrets sync`; src/output/secrets-sync.ts renders it. */
export interface SecretsSyncResult extends TaskDefinitionPipelineResult<SecretsCheckResult> {
  /** The comparison the sync was planned from. */
  drift: SecretsDrift;
  /** What the new revision changes, and the additions left out because the name is taken. */
  sync: Pick<SecretsSyncPlan, 'applied' | 'kept'>;
}

const COMMAND = 'secrets sync';

/** `ecsops secrets sync`. */
export async function runSecretsSync(
  options: SecretsSyncOptions,
  ctx: CommandContext,
): Promise<SecretsSyncResult> {
  if (options.output.kind === 'in-place' && options.source.kind !== 'file') {
    throw new UsageError('--in-place needs --file.');
  }
  // Read: the definition, then the metadata of its recorded sources.
  const online = await readOnline(ctx, COMMAND);
  const source = await readTaskDefinitionSource(ctx, options.source, online);
  stopIfInterrupted(ctx);
  const { drift } = await readParsedSecretsDrift(
    ctx,
    source.parsed,
    homeOf(source, online),
    createSecretsDriftReads(),
  );
  stopIfInterrupted(ctx);

  // Plan.
  const sync = planSecretsSync(source.parsed, drift);
  const result: SecretsSyncResult = {
    exitCode: ExitCode.ok,
    status: sync.status === 'sync' ? 'migrated' : sync.status,
    source: { kind: source.kind, label: source.label },
    dryRun: options.dryRun,
    drift,
    sync: { applied: sync.applied, kept: sync.kept },
    refusals: sync.refusals.map((reason) => ({ container: '*', reason })),
    registerProblems: [],
  };
  const plan: EditPlan<SecretsSyncResult> =
    sync.status !== 'sync'
      ? { kind: sync.status, result }
      : {
          kind: 'edit',
          result,
          document: sync.document,
          registerInput: sync.registerInput,
          // The tags stay as they are: the same sources, now matched again.
          register: sync.registerInput,
          preview: (out, before, after) => showSyncPreview(out, { label: source.label, before, after, sync }),
        };
  const spec = secretsPipelineSpec({
    command: COMMAND,
    commandLine: (extra) =>
      pipelineCommandLine({
        command: ['secrets', 'sync'],
        region: online.region,
        options,
        commandFlags: [],
        extra,
      }),
  });
  return runTaskDefinitionPipeline(ctx, options, spec, { source, online, plan });
}

// A registered revision lives where its ARN says; a file in the run's region and the caller's account.
function homeOf(source: LoadedSource, online: Online): DriftHome {
  const td = taskDefinitionObject(source.parsed.document, source.parsed.shape);
  const arn = typeof td?.taskDefinitionArn === 'string' ? td.taskDefinitionArn.split(':') : [];
  if (arn.length >= 6 && /^\d{12}$/.test(arn[4] ?? '')) {
    return { region: arn[3] || online.region, account: arn[4], partition: arn[1] };
  }
  return { region: online.region, account: online.account, partition: online.partition };
}
