import { DEFAULT_NAME_PREFIX, validateNamePrefix } from '../core/alarm/name.js';
import { type AlarmDeletion, type AlarmRecord, planAlarmDeletions } from '../core/alarm/plan.js';
import { mapConcurrent } from '../core/concurrency.js';
import { ExitCode, InputError, UsageError } from '../errors.js';
import { renderPlanLines } from '../output/plan.js';
import { createWritePacers, readAlarmRecords } from './alarm-list.js';
import { confirmApply, type MutatingOptions } from './apply-flow.js';
import type { CommandContext } from './context.js';
import { describeError } from './describe-error.js';
import { resolveRegions } from './regions.js';

/** Parsed flags of `alarm delete`. */
export interface AlarmDeleteOptions extends MutatingOptions {
  clusters: string[];
  /** With --cluster: only these services' alarms. */
  services: string[];
  /** Exact alarm names. */
  names: string[];
  namePrefix?: string | undefined;
}

/** What applying a list of deletions did, per alarm. */
export interface DeletionResult {
  deletion: AlarmDeletion;
  status: 'planned' | 'applied' | 'failed' | 'not-started';
  error?: string;
}

/** `ecsops alarm delete`: managed alarms by cluster, service or name; refuses unmanaged ones. */
export async function runAlarmDelete(options: AlarmDeleteOptions, ctx: CommandContext): Promise<ExitCode> {
  if (options.clusters.length === 0 && options.names.length === 0) {
    throw new UsageError(
      'Choose alarms with --cluster (and optionally --service) or --name',
      'Example: ecsops alarm delete --cluster prod --service web --dry-run',
    );
  }
  if (options.services.length && options.clusters.length === 0)
    throw new UsageError('--service needs --cluster');
  const prefix = options.namePrefix ?? DEFAULT_NAME_PREFIX;
  validateNamePrefix(prefix);
  const regions = await resolveRegions(ctx);

  // Read: alarms under the prefix plus any named outside it, all with tags.
  const { records, regionErrors } = await readAlarmRecords(ctx, regions, prefix);
  if (regionErrors.length) throw regionErrors[0]?.error;
  const outside = options.names.filter((n) => !records.some((r) => r.alarmName === n));
  if (outside.length) records.push(...(await readNamedAlarms(ctx, regions, outside)));

  // Plan.
  const plan = planAlarmDeletions(records, options);
  if (plan.refused.length) {
    throw new UsageError(
      `Refusing to delete alarm(s) not managed by ecsops (no ecsops:managed=true tag): ${plan.refused.map((r) => r.alarmName).join(', ')}`,
      'Nothing was deleted. ecsops only deletes alarms it created; remove others with aws cloudwatch delete-alarms.',
    );
  }
  if (plan.notFound.length) {
    throw new InputError(`Alarm not found: ${plan.notFound.join(', ')} (searched ${regions.join(', ')})`, {
      hint: 'Nothing was deleted. List alarms with: ecsops alarm list',
    });
  }
  return applyDeletions(ctx, options, 'alarm delete', plan.deletions);
}

/** Exact-name DescribeAlarms for names outside the prefix, with tags, in every region. */
async function readNamedAlarms(
  ctx: CommandContext,
  regions: readonly string[],
  names: readonly string[],
): Promise<AlarmRecord[]> {
  const found: AlarmRecord[] = [];
  for (const region of regions) {
    const cloudwatch = await ctx.aws.cloudwatch(region);
    for (const alarm of await cloudwatch.describeAlarmsByName(names)) {
      const tags = alarm.AlarmArn ? await cloudwatch.listAlarmTags(alarm.AlarmArn) : [];
      found.push({
        region,
        alarmName: alarm.AlarmName,
        alarmArn: alarm.AlarmArn ?? '',
        tags,
        stateValue: alarm.StateValue,
        stateReason: alarm.StateReason,
      });
    }
  }
  return found;
}

/** Diff -> confirm -> DeleteAlarms (100 a call, paced) -> report; shared by delete and prune. */
export async function applyDeletions(
  ctx: CommandContext,
  options: MutatingOptions,
  command: string,
  deletions: readonly AlarmDeletion[],
): Promise<ExitCode> {
  const { out } = ctx;
  const results: DeletionResult[] = deletions.map((deletion) => ({ deletion, status: 'planned' }));
  const label = (d: AlarmDeletion) =>
    `${d.region} ${d.alarmName}${d.clusterName ? ` (${d.clusterName}/${d.serviceName})` : ''}: ${d.reason}`;
  if (!out.jsonMode) {
    if (results.length)
      out.result(
        renderPlanLines(
          results.map((r) => ({ sign: '-', text: label(r.deletion) })),
          out.colors,
        ),
      );
    out.info(`Plan: ${results.length} to delete.`);
  }
  const report = (extra: Record<string, unknown> = {}) =>
    out.json({
      dryRun: options.dryRun,
      deletions: results.map((r) => ({
        ...r.deletion,
        status: r.status,
        ...(r.error ? { error: r.error } : {}),
      })),
      ...extra,
    });
  if (results.length === 0) {
    if (out.jsonMode) report();
    else out.info('Nothing to do.');
    return ExitCode.ok;
  }
  if ((await confirmApply(ctx, options, `Delete ${results.length} alarm(s)?`)) === 'dry-run') {
    if (out.jsonMode) report();
    else out.info('Dry run: no changes were sent.');
    return ExitCode.ok;
  }

  const pacer = createWritePacers(ctx);
  const regions = [...new Set(results.map((r) => r.deletion.region))];
  // One DeleteAlarms call per 100 names per region; a failed call fails exactly its names.
  const batches = regions.flatMap((region) => {
    const inRegion = results.filter((r) => r.deletion.region === region);
    return Array.from({ length: Math.ceil(inRegion.length / 100) }, (_, i) =>
      inRegion.slice(i * 100, (i + 1) * 100),
    );
  });
  const settled = await mapConcurrent(
    batches,
    ctx.global.concurrency,
    async (batch) => {
      const region = batch[0]?.deletion.region as string;
      await (await ctx.aws.cloudwatch(region)).deleteAlarms(
        pacer(region, 'DeleteAlarms'),
        batch.map((r) => r.deletion.alarmName),
      );
    },
    ctx.signal,
  );
  settled.forEach((s, i) => {
    for (const r of batches[i] ?? []) {
      if (s.status === 'fulfilled') r.status = 'applied';
      else if (s.status === 'rejected') {
        r.status = 'failed';
        r.error = describeError(s.reason);
      } else r.status = 'not-started';
    }
  });
  const failed = results.filter((r) => r.status === 'failed');
  const notStarted = results.filter((r) => r.status === 'not-started');
  if (!out.jsonMode) {
    for (const r of results) {
      const text = `${r.deletion.region} ${r.deletion.alarmName}`;
      if (r.status === 'applied') out.result(`${out.colors.green('deleted')}  ${text}`);
      else if (r.status === 'failed') out.result(`${out.colors.red('failed')}   ${text}: ${r.error}`);
      else out.result(`${out.colors.yellow('not started')} ${text}`);
    }
    out.info(
      `${results.length - failed.length - notStarted.length} deleted, ${failed.length} failed, ${notStarted.length} not started.`,
    );
  }
  if (ctx.signal.aborted) {
    if (out.jsonMode) report({ interrupted: true });
    return ExitCode.interrupted;
  }
  if (out.jsonMode) report();
  return failed.length ? ExitCode.partial : ExitCode.ok;
}
