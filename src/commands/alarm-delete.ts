import { DELETE_ALARMS_BATCH } from '../aws/cloudwatch-alarms.js';
import { DEFAULT_NAME_PREFIX, validateNamePrefix } from '../core/alarm/name.js';
import { type AlarmDeletion, type AlarmSelection, planAlarmDeletions } from '../core/alarm/plan.js';
import { UsageError } from '../errors.js';
import { deletionLabel, reportAlarmDeletePlan } from '../output/alarm.js';
import type { CommandResult } from '../output/present.js';
import { createWritePacers, readAlarmRecords, readNamedAlarmRecords } from './alarm-list.js';
import { type ApplyResult, applyChanges, applyExitCode, type MutatingOptions } from './apply-flow.js';
import type { CommandContext } from './context.js';
import { resolveRegions } from './regions.js';

/** Parsed flags of `alarm delete`. */
export interface AlarmDeleteOptions extends MutatingOptions {
  /** `--cluster` (with `--service`) or `--name`. */
  selection: AlarmSelection;
  namePrefix?: string | undefined;
}

/** The typed result of `alarm delete` and `alarm prune`. */
export interface AlarmDeleteResult extends CommandResult {
  dryRun: boolean;
  apply: ApplyResult<AlarmDeletion>;
  warnings: string[];
}

/**
 * `ecsops alarm delete`: managed alarms by cluster, service or name; refuses unmanaged ones. A
 * named alarm that is not there (deleted by an earlier run) is a warning: a second run is a no-op.
 */
export async function runAlarmDelete(
  options: AlarmDeleteOptions,
  ctx: CommandContext,
): Promise<AlarmDeleteResult> {
  const prefix = options.namePrefix ?? DEFAULT_NAME_PREFIX;
  validateNamePrefix(prefix);
  const regions = await resolveRegions(ctx);

  // Read: alarms under the prefix plus any named outside it, all with tags.
  const { records, regionErrors } = await readAlarmRecords(ctx, regions, prefix);
  if (regionErrors.length) throw regionErrors[0]?.error;
  const { selection } = options;
  if (selection.kind === 'names') {
    const seen = new Set(records.map((r) => r.alarmName));
    const outside = [...new Set(selection.names)].filter((n) => !seen.has(n));
    records.push(...(await readNamedAlarmRecords(ctx, regions, outside)));
  }

  // Plan.
  const plan = planAlarmDeletions(records, selection);
  if (plan.refused.length) {
    throw new UsageError(
      `Refusing to delete alarm(s) not managed by ecsops (no ecsops:managed=true tag): ${plan.refused.map((r) => r.alarmName).join(', ')}`,
      'Nothing was deleted. ecsops only deletes alarms it created; remove others with aws cloudwatch delete-alarms.',
    );
  }
  const warnings = plan.notFound.length
    ? [
        `Alarm not found: ${plan.notFound.join(', ')} (searched ${regions.join(', ')}): nothing to delete for ${plan.notFound.length === 1 ? 'it' : 'them'}.`,
      ]
    : [];
  return applyDeletions(ctx, options, plan.deletions, warnings);
}

/** Diff -> confirm -> DeleteAlarms (100 names a call per region, paced) -> typed result; shared by delete and prune. */
export async function applyDeletions(
  ctx: CommandContext,
  options: MutatingOptions,
  deletions: readonly AlarmDeletion[],
  warnings: string[] = [],
): Promise<AlarmDeleteResult> {
  for (const w of warnings) ctx.out.warn(w);
  reportAlarmDeletePlan(ctx.out, deletions);
  const pacers = createWritePacers(ctx);
  const apply = await applyChanges(ctx, options, {
    changes: deletions,
    question: `Delete ${deletions.length} alarm(s)?`,
    label: deletionLabel,
    // One DeleteAlarms call per 100 names per region; a failed call fails exactly its names.
    batch: {
      size: DELETE_ALARMS_BATCH,
      key: (d) => d.region,
      apply: async (batch) => {
        const region = batch[0]?.region;
        if (region === undefined) return;
        await (await ctx.aws.cloudwatch(region)).deleteAlarms(
          pacers.start(region, 'DeleteAlarms'),
          batch.map((d) => d.alarmName),
        );
      },
    },
  });
  return { exitCode: applyExitCode(apply), dryRun: options.dryRun, apply, warnings };
}
