/** How `alarm create|delete|prune|list` look, for people and as JSON. */
import type { AlarmCreateChange, AlarmCreateResult, AlarmEmitResult } from '../commands/alarm-create.js';
import type { AlarmDeleteChange, AlarmDeleteResult } from '../commands/alarm-delete.js';
import type { AlarmListResult } from '../commands/alarm-list.js';
import type { EventsChange, EventsPlan } from '../core/alarm/events.js';
import type { AlarmPlan } from '../core/alarm/plan.js';
import { type OutcomeWords, outcomesJson, reportOutcomes } from './apply.js';
import { type PlanLine, renderPlanLines } from './plan.js';
import type { FleetView, ResultView } from './present.js';
import type { Reporter } from './reporter.js';
import { renderTable } from './table.js';

/** An events-rule change as a person recognises it. */
export function eventsChangeLabel(c: EventsChange): string {
  switch (c.kind) {
    case 'put-topic-policy':
      return `${c.region} topic policy ${c.topicArn}`;
    case 'create-rule':
    case 'update-rule':
    case 'delete-rule':
      return `${c.region} events rule ${c.ruleName}`;
    case 'put-targets':
    case 'remove-targets':
      return `${c.region} events rule ${c.ruleName} targets`;
  }
}

/** An `alarm create` change as a person recognises it: region and alarm name, or region and cluster. */
export function alarmChangeLabel(c: AlarmCreateChange): string {
  switch (c.kind) {
    case 'enable-insights':
      return `${c.region} ${c.clusterName}: enable Container Insights`;
    case 'create-alarm':
    case 'update-alarm':
      return `${c.region} ${c.definition.AlarmName}`;
    default:
      return eventsChangeLabel(c);
  }
}

/** The diff lines of an events-rule change. */
export function eventsPlanLines(change: EventsChange): PlanLine[] {
  switch (change.kind) {
    case 'put-topic-policy':
      return [
        {
          sign: '~',
          text: change.revokedRuleArns
            ? `${change.region} topic policy ${change.topicArn}: no longer allow events.amazonaws.com for ${change.revokedRuleArns.join(', ')}`
            : `${change.region} topic policy ${change.topicArn}: allow events.amazonaws.com to publish for ${change.ruleArns.join(', ')}`,
        },
      ];
    case 'create-rule':
      return [
        {
          sign: '+',
          text: `${change.region} events rule ${change.ruleName} (cluster ${change.clusterName})`,
        },
      ];
    case 'update-rule':
      return [
        {
          sign: '~',
          text: `${change.region} events rule ${change.ruleName} (cluster ${change.clusterName})`,
        },
        ...(change.missingTags.length
          ? [{ sign: '~' as const, text: `    tags: add ${change.missingTags.map((t) => t.Key).join(', ')}` }]
          : []),
      ];
    case 'put-targets':
      return change.targets.map((t) => ({
        sign: '+' as const,
        text: `${change.region} events rule ${change.ruleName} -> ${t.Arn}`,
      }));
    case 'remove-targets':
      return change.ids.map((id) => ({
        sign: '-' as const,
        text: `${change.region} events rule ${change.ruleName} target ${id}`,
      }));
    case 'delete-rule':
      return [
        {
          sign: '-',
          text: `${change.region} events rule ${change.ruleName} (cluster ${change.clusterName}): its last alarm goes`,
        },
      ];
  }
}

/** A deletion as a person recognises it: region and alarm name (or events rule). */
export function deletionLabel(d: AlarmDeleteChange): string {
  return 'kind' in d ? eventsChangeLabel(d) : `${d.region} ${d.alarmName}`;
}

const CREATE_WORDS: OutcomeWords = {
  applied: 'applied',
  rerunHint: 'Re-run the same command to finish: alarms already in place are skipped.',
};

const DELETE_WORDS: OutcomeWords = {
  applied: 'deleted',
  rerunHint: 'Re-run the same command to finish: alarms already deleted are skipped.',
};

function planLines(change: AlarmCreateChange): PlanLine[] {
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
    default:
      return eventsPlanLines(change);
  }
}

/**
 * The `alarm create` plan, shown before the confirmation: the diff on stdout (dropped under
 * --json), skipped services, renamed alarms and the summary on stderr.
 */
export function reportAlarmCreatePlan(
  out: Reporter,
  input: { changes: readonly AlarmCreateChange[]; plan: AlarmPlan; events?: EventsPlan },
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
  for (const s of input.events?.skipped ?? [])
    out.info(`  skipped ${s.region} events rule ${s.ruleName}: ${s.reason}`);
  const count = (kind: AlarmCreateChange['kind']) => changes.filter((c) => c.kind === kind).length;
  const insights = count('enable-insights');
  const ruleWrites =
    count('create-rule') + count('update-rule') + count('put-targets') + count('remove-targets');
  const policies = count('put-topic-policy');
  const eventsUnchanged = input.events?.unchanged.length ?? 0;
  out.info(
    `Plan: ${count('create-alarm')} to create, ${count('update-alarm')} to update, ${plan.unchanged.length} unchanged, ${plan.skipped.length} skipped` +
      (insights ? `, Container Insights to enable on ${insights} cluster(s)` : '') +
      (ruleWrites || policies || eventsUnchanged
        ? `; events rules: ${count('create-rule')} to create, ${count('update-rule')} to update, ${count('put-targets') + count('remove-targets')} target change(s), ${eventsUnchanged} unchanged, ${policies} topic polic${policies === 1 ? 'y' : 'ies'} to update`
        : '') +
      '.',
  );
}

/** An events change in JSON. */
export function eventsChangeJson(c: EventsChange): Record<string, unknown> {
  switch (c.kind) {
    case 'put-topic-policy':
      return {
        kind: c.kind,
        region: c.region,
        topicArn: c.topicArn,
        ruleArns: c.ruleArns,
        ...(c.revokedRuleArns ? { revokedRuleArns: c.revokedRuleArns } : {}),
      };
    case 'create-rule':
    case 'update-rule':
      return {
        kind: c.kind,
        region: c.region,
        clusterName: c.clusterName,
        ruleName: c.ruleName,
        ruleArn: c.ruleArn,
      };
    case 'put-targets':
      return {
        kind: c.kind,
        region: c.region,
        clusterName: c.clusterName,
        ruleName: c.ruleName,
        targets: c.targets,
      };
    case 'remove-targets':
      return {
        kind: c.kind,
        region: c.region,
        clusterName: c.clusterName,
        ruleName: c.ruleName,
        targetIds: c.ids,
      };
    case 'delete-rule':
      return { kind: c.kind, region: c.region, clusterName: c.clusterName, ruleName: c.ruleName };
  }
}

function alarmChangeJson(c: AlarmCreateChange): Record<string, unknown> {
  if (c.kind !== 'enable-insights' && c.kind !== 'create-alarm' && c.kind !== 'update-alarm')
    return eventsChangeJson(c);
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

/** `alarm create`, and `alarm create --emit cloudformation` (the template itself on stdout). */
export const alarmCreateView: ResultView<AlarmCreateResult | AlarmEmitResult> = {
  human(r, out) {
    if (r.kind === 'emit') {
      out.result(r.text);
      out.info(
        `Template: ${r.alarms} alarm(s), ${r.rules} events rule(s), ${r.skipped.length} service(s) skipped; nothing was written.`,
      );
      return;
    }
    reportOutcomes(out, r.apply, alarmChangeLabel, CREATE_WORDS);
  },
  json: (r) =>
    r.kind === 'emit'
      ? {
          emit: 'cloudformation',
          format: r.format,
          // The JSON document carries the template as an object; YAML stays text.
          template: r.format === 'json' ? r.template : r.text,
          alarms: r.alarms,
          rules: r.rules,
          skipped: r.skipped,
          shortNow: r.shortNow,
          warnings: r.warnings,
        }
      : {
          dryRun: r.dryRun,
          regions: r.regions,
          ...outcomesJson(r.apply, alarmChangeJson),
          unchanged: r.unchanged,
          skipped: r.skipped,
          renamed: r.renamed,
          eventsUnchanged: r.eventsUnchanged,
          eventsSkipped: r.eventsSkipped,
          shortNow: r.shortNow,
          warnings: r.warnings,
        },
};

/** The deletions of `alarm delete` / `alarm prune`, shown before the confirmation. */
export function reportAlarmDeletePlan(out: Reporter, changes: readonly AlarmDeleteChange[]): void {
  if (changes.length) {
    out.result(
      renderPlanLines(
        changes.flatMap((d): PlanLine[] =>
          'kind' in d
            ? eventsPlanLines(d)
            : [
                {
                  sign: '-',
                  text: `${deletionLabel(d)}${d.clusterName ? ` (${d.clusterName}/${d.serviceName})` : ''}: ${d.reason}`,
                },
              ],
        ),
        out.colors,
      ),
    );
  }
  if (out.jsonMode) return;
  const rules = changes.filter((c) => 'kind' in c && c.kind === 'delete-rule').length;
  const policies = changes.filter((c) => 'kind' in c && c.kind === 'put-topic-policy').length;
  const alarms = changes.filter((c) => !('kind' in c)).length;
  out.info(
    changes.length
      ? `Plan: ${alarms} to delete${rules ? `, ${rules} events rule(s) to delete with their cluster's last alarm` : ''}${policies ? `, ${policies} topic polic${policies === 1 ? 'y' : 'ies'} to update` : ''}.`
      : 'Plan: nothing to delete.',
  );
}

/** `alarm delete` and `alarm prune`. */
export const alarmDeleteView: ResultView<AlarmDeleteResult> = {
  human(r, out) {
    reportOutcomes(out, r.apply, deletionLabel, DELETE_WORDS);
  },
  json: (r) => {
    const { changes, ...rest } = outcomesJson(r.apply, (d) => ('kind' in d ? eventsChangeJson(d) : { ...d }));
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
    const ruleRows = results.flatMap(({ account, result }) =>
      result.rules.map((rule) => [
        account,
        rule.region,
        rule.clusterName,
        rule.present ? rule.ruleName : out.colors.yellow('none'),
        rule.present ? (rule.enabled ? 'ENABLED' : out.colors.yellow('DISABLED')) : '',
        rule.topicArns.join(', '),
      ]),
    );
    if (ruleRows.length) {
      out.result('');
      out.result(renderTable(['ACCOUNT', 'REGION', 'CLUSTER', 'EVENTS RULE', 'STATE', 'TOPICS'], ruleRows));
    }
    const checked = results.filter(({ result }) => result.problems !== undefined);
    if (checked.length) {
      out.result('');
      const problems = checked.flatMap(({ account, result }) =>
        (result.problems ?? []).map((p) => ({ account, p })),
      );
      if (problems.length === 0) out.result(out.colors.green('Check: every alarm can fire.'));
      for (const { account, p } of problems)
        out.result(`${out.colors.red('!')} ${account} ${p.region} ${p.alarmName}: ${p.message}`);
    }
  },
  json: (results) => ({
    regions: [...new Set(results.flatMap(({ result }) => result.regions))],
    alarms: results.flatMap(({ account, result }) => result.alarms.map((a) => ({ account, ...a }))),
    rules: results.flatMap(({ account, result }) => result.rules.map((r) => ({ account, ...r }))),
    ...(results.some(({ result }) => result.problems !== undefined)
      ? {
          problems: results.flatMap(({ account, result }) =>
            (result.problems ?? []).map((p) => ({ account, ...p })),
          ),
        }
      : {}),
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
    if (r.rules.length) {
      out.result('');
      out.result(
        renderTable(
          ['REGION', 'CLUSTER', 'EVENTS RULE', 'STATE', 'TOPICS'],
          r.rules.map((rule) => [
            rule.region,
            rule.clusterName,
            rule.present ? rule.ruleName : out.colors.yellow('none'),
            rule.present ? (rule.enabled ? 'ENABLED' : out.colors.yellow('DISABLED')) : '',
            rule.topicArns.join(', '),
          ]),
        ),
      );
    }
    if (r.problems) {
      out.result('');
      if (r.problems.length === 0) out.result(out.colors.green('Check: every alarm can fire.'));
      for (const p of r.problems)
        out.result(`${out.colors.red('!')} ${p.region} ${p.alarmName}: ${p.message}`);
      if (r.problems.length) out.info(`Check: ${r.problems.length} problem(s); exit 1.`);
    }
  },
  json: (r) => ({
    regions: r.regions,
    alarms: r.alarms,
    rules: r.rules,
    ...(r.problems ? { problems: r.problems } : {}),
    errors: r.regionErrors,
  }),
  fleet: alarmListFleetView,
};
