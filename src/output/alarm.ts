/** How `alarm create|delete|prune|list` look, for people and as JSON. */
import type { AlarmCreateResult } from '../commands/alarm-create.js';
import type { AlarmDeleteResult } from '../commands/alarm-delete.js';
import type { AlarmListResult } from '../commands/alarm-list.js';
import type { AlarmChange, AlarmDeletion, AlarmPlan } from '../core/alarm/plan.js';
import { type OutcomeWords, outcomesJson, reportOutcomes } from './apply.js';
import { type PlanLine, renderPlanLines } from './plan.js';
import type { FleetView, ResultView } from './present.js';
import type { Reporter } from './reporter.js';
import { renderTable } from './table.js';

/** An `alarm create` change as a person recognises it: region and alarm name, or region and cluster. */
export function alarmChangeLabel(c: AlarmChange): string {
  return c.kind === 'enable-insights'
    ? `${c.region} ${c.clusterName}: enable Container Insights`
    : `${c.region} ${c.definition.AlarmName}`;
}

/** A deletion as a person recognises it: region and alarm name. */
export function deletionLabel(d: AlarmDeletion): string {
  return `${d.region} ${d.alarmName}`;
}

const CREATE_WORDS: OutcomeWords = {
  applied: 'applied',
  rerunHint: 'Re-run the same command to finish: alarms already in place are skipped.',
};

const DELETE_WORDS: OutcomeWords = {
  applied: 'deleted',
  rerunHint: 'Re-run the same command to finish: alarms already deleted are skipped.',
};

function planLines(change: AlarmChange): PlanLine[] {
  switch (change.kind) {
    case 'enable-insights':
      return [
        { sign: '~', text: `${change.region} ${change.clusterName}: containerInsights disabled -> enabled` },
      ];
    case 'create-alarm':
      return [
        {
          sign: '+',
          text: `${change.region} ${change.definition.AlarmName} (${change.clusterName}/${change.serviceName})`,
        },
      ];
    case 'update-alarm':
      return [
        {
          sign: '~',
          text: `${change.region} ${change.definition.AlarmName} (${change.clusterName}/${change.serviceName})`,
        },
        ...change.changes.map((c) => ({
          sign: '~' as const,
          text: `    ${c.field}: ${JSON.stringify(c.before) ?? 'unset'} -> ${JSON.stringify(c.after) ?? 'unset'}`,
        })),
      ];
  }
}

/**
 * The `alarm create` plan, shown before the confirmation: the diff on stdout (dropped under
 * --json), skipped services, renamed alarms and the summary on stderr.
 */
export function reportAlarmCreatePlan(
  out: Reporter,
  input: { changes: readonly AlarmChange[]; plan: AlarmPlan },
): void {
  const { changes, plan } = input;
  if (changes.length) out.result(renderPlanLines(changes.flatMap(planLines), out.colors));
  if (out.jsonMode) return;
  for (const s of plan.skipped)
    out.info(`  skipped ${s.region} ${s.clusterName}/${s.serviceName}: ${s.reason}`);
  for (const r of plan.renamed) {
    out.info(
      `  note: ${r.region} ${r.clusterName}/${r.serviceName}: alarm name ${r.takenName} belongs to ${r.takenBy}; this service's alarm is ${r.alarmName}`,
    );
  }
  const count = (kind: AlarmChange['kind']) => changes.filter((c) => c.kind === kind).length;
  const insights = count('enable-insights');
  out.info(
    `Plan: ${count('create-alarm')} to create, ${count('update-alarm')} to update, ${plan.unchanged.length} unchanged, ${plan.skipped.length} skipped` +
      (insights ? `, Container Insights to enable on ${insights} cluster(s).` : '.'),
  );
}

function alarmChangeJson(c: AlarmChange): Record<string, unknown> {
  return {
    kind: c.kind,
    region: c.region,
    clusterName: c.clusterName,
    ...(c.kind === 'enable-insights'
      ? { clusterArn: c.clusterArn }
      : {
          serviceName: c.serviceName,
          alarmName: c.definition.AlarmName,
          ...(c.kind === 'update-alarm' ? { fieldChanges: c.changes } : {}),
        }),
  };
}

/** `alarm create`. */
export const alarmCreateView: ResultView<AlarmCreateResult> = {
  human(r, out) {
    reportOutcomes(out, r.apply, alarmChangeLabel, CREATE_WORDS);
  },
  json: (r) => ({
    dryRun: r.dryRun,
    regions: r.regions,
    ...outcomesJson(r.apply, alarmChangeJson),
    unchanged: r.unchanged,
    skipped: r.skipped,
    renamed: r.renamed,
    warnings: r.warnings,
  }),
};

/** The deletions of `alarm delete` / `alarm prune`, shown before the confirmation. */
export function reportAlarmDeletePlan(out: Reporter, deletions: readonly AlarmDeletion[]): void {
  if (deletions.length) {
    out.result(
      renderPlanLines(
        deletions.map((d) => ({
          sign: '-',
          text: `${deletionLabel(d)}${d.clusterName ? ` (${d.clusterName}/${d.serviceName})` : ''}: ${d.reason}`,
        })),
        out.colors,
      ),
    );
  }
  if (!out.jsonMode)
    out.info(deletions.length ? `Plan: ${deletions.length} to delete.` : 'Plan: nothing to delete.');
}

/** `alarm delete` and `alarm prune`. */
export const alarmDeleteView: ResultView<AlarmDeleteResult> = {
  human(r, out) {
    reportOutcomes(out, r.apply, deletionLabel, DELETE_WORDS);
  },
  json: (r) => {
    const { changes, ...rest } = outcomesJson(r.apply, (d) => ({ ...d }));
    return { dryRun: r.dryRun, deletions: changes, ...rest, warnings: r.warnings };
  },
};

function alarmStateColour(out: Reporter) {
  return (state: string | undefined) =>
    state === 'ALARM'
      ? out.colors.red(state)
      : state === 'OK'
        ? out.colors.green(state)
        : out.colors.yellow(state ?? '?');
}

/** `alarm list` over several accounts: one table with an ACCOUNT column, JSON rows with `account`. */
const alarmListFleetView: FleetView<AlarmListResult> = {
  human(results, out) {
    for (const { account, result } of results)
      for (const e of result.regionErrors)
        out.error(`${account} ${e.region}: could not read alarms: ${e.message}`);
    const colour = alarmStateColour(out);
    const rows = results.flatMap(({ account, result }) =>
      result.alarms.map((a) => [
        account,
        a.region,
        a.clusterName ?? '',
        a.serviceName ?? '',
        colour(a.state),
        a.alarmName,
        a.reason ?? '',
      ]),
    );
    if (rows.length === 0) {
      const prefix = results[0]?.result.prefix;
      out.result(`No ecsops alarms${prefix ? ` under ${prefix}-` : ''} in ${results.length} account(s).`);
      return;
    }
    out.result(renderTable(['ACCOUNT', 'REGION', 'CLUSTER', 'SERVICE', 'STATE', 'ALARM', 'REASON'], rows));
  },
  json: (results) => ({
    regions: [...new Set(results.flatMap(({ result }) => result.regions))],
    alarms: results.flatMap(({ account, result }) => result.alarms.map((a) => ({ account, ...a }))),
    errors: results.flatMap(({ account, result }) => result.regionErrors.map((e) => ({ account, ...e }))),
  }),
};

/** `alarm list`. */
export const alarmListView: ResultView<AlarmListResult> = {
  human(r, out) {
    for (const e of r.regionErrors) out.error(`${e.region}: could not read alarms: ${e.message}`);
    if (r.alarms.length === 0) {
      out.result(`No ecsops alarms under ${r.prefix}- in ${r.regions.join(', ')}.`);
      return;
    }
    const colour = alarmStateColour(out);
    out.result(
      renderTable(
        ['REGION', 'CLUSTER', 'SERVICE', 'STATE', 'ALARM', 'REASON'],
        r.alarms.map((a) => [
          a.region,
          a.clusterName ?? '',
          a.serviceName ?? '',
          colour(a.state),
          a.alarmName,
          a.reason ?? '',
        ]),
      ),
    );
  },
  json: (r) => ({
    regions: r.regions,
    alarms: r.alarms,
    errors: r.regionErrors,
  }),
  fleet: alarmListFleetView,
};
