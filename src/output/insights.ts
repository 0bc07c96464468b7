/** How `insights status|enable|disable` results look, for people and as JSON. */
import type { InsightsApplyResult } from '../commands/insights-apply.js';
import type { InsightsStatusResult } from '../commands/insights-status.js';
import type { InsightsLevel } from '../core/ecs-types.js';
import { describeInsightsChange, type InsightsChange, type InsightsPlan } from '../core/insights.js';
import { outcomesJson, reportOutcomes } from './apply.js';
import type { Colors } from './colors.js';
import { renderPlanLines } from './plan.js';
import type { FleetView, ResultView } from './present.js';
import type { Reporter } from './reporter.js';
import { renderTable } from './table.js';

const level = (v: InsightsLevel | 'unknown', colors: Colors) =>
  v === 'unknown' ? v : v === 'disabled' ? colors.yellow(v) : colors.green(v);

const statusJson = (r: InsightsStatusResult) => ({
  regions: r.accountDefaults.map((d) => ({ region: d.region, accountDefault: d.value })),
  clusters: r.clusters.map((c) => ({
    region: c.region,
    clusterName: c.clusterName,
    clusterArn: c.clusterArn,
    status: c.status,
    containerInsights: c.containerInsights,
  })),
  errors: r.errors,
});

/** `insights status` over several accounts: one table with an ACCOUNT column, rows with `account`. */
const insightsStatusFleetView: FleetView<InsightsStatusResult> = {
  human(results, out) {
    const rows = results.flatMap(({ account, result }) =>
      result.clusters.map((c) => [
        account,
        c.region,
        c.clusterName,
        level(c.containerInsights, out.colors),
        c.status,
      ]),
    );
    out.result(
      rows.length
        ? renderTable(['ACCOUNT', 'REGION', 'CLUSTER', 'CONTAINER INSIGHTS', 'STATUS'], rows)
        : `No clusters in ${results.length} account(s).`,
    );
    const defaults = results.flatMap(({ account, result }) =>
      result.accountDefaults.map((d) => `  ${account} ${d.region}: ${level(d.value, out.colors)}`),
    );
    out.result(`\nAccount default for new clusters:\n${defaults.join('\n')}`);
  },
  json(results) {
    const rows = (key: 'regions' | 'clusters' | 'errors') =>
      results.flatMap(({ account, result }) =>
        (statusJson(result)[key] as Record<string, unknown>[]).map((row) => ({ account, ...row })),
      );
    return { regions: rows('regions'), clusters: rows('clusters'), errors: rows('errors') };
  },
};

/** `insights status`: a table of clusters, then each region's account default. */
export const insightsStatusView: ResultView<InsightsStatusResult> = {
  human(r, out) {
    out.result(
      r.clusters.length
        ? renderTable(
            ['REGION', 'CLUSTER', 'CONTAINER INSIGHTS', 'STATUS'],
            r.clusters.map((c) => [
              c.region,
              c.clusterName,
              level(c.containerInsights, out.colors),
              c.status,
            ]),
          )
        : `No clusters in ${r.regions.join(', ')}.`,
    );
    out.result(
      `\nAccount default for new clusters:\n${r.accountDefaults.map((d) => `  ${d.region}: ${level(d.value, out.colors)}`).join('\n')}`,
    );
  },
  json: statusJson,
  fleet: insightsStatusFleetView,
};

/** The plan of `insights enable|disable`, shown before the confirmation (stdout; dropped under --json). */
export function reportInsightsPlan(out: Reporter, plan: InsightsPlan): void {
  if (plan.changes.length)
    out.result(
      renderPlanLines(
        plan.changes.map((c) => ({ sign: '~', text: describeInsightsChange(c) })),
        out.colors,
      ),
    );
  for (const u of plan.unchanged) out.info(`  ${u.region} ${u.target}: ${u.reason}`);
  out.info(`Plan: ${plan.changes.length} to change, ${plan.unchanged.length} unchanged.`);
}

function changeJson(c: InsightsChange): Record<string, unknown> {
  return {
    kind: c.kind,
    region: c.region,
    ...(c.kind === 'update-cluster-setting' ? { clusterName: c.clusterName, clusterArn: c.clusterArn } : {}),
    from: c.from,
    to: c.to,
  };
}

/** Each change's outcome (human mode); with --wait it is shown before the wait starts. */
export function reportInsightsOutcomes(out: Reporter, apply: InsightsApplyResult['apply']): void {
  reportOutcomes(out, apply, describeInsightsChange);
}

/** `insights enable|disable`: each change's outcome, then what --wait saw. */
export const insightsApplyView: ResultView<InsightsApplyResult> = {
  human(r, out) {
    // With --wait the outcomes were reported when the apply ended, before the wait.
    if (!r.wait) reportInsightsOutcomes(out, r.apply);
    for (const w of r.wait?.clusters ?? []) {
      out.result(
        w.metrics === 'appeared'
          ? `${w.region} ${w.clusterName}: Container Insights metrics are arriving`
          : `${w.region} ${w.clusterName}: no Container Insights metrics after ${w.waitedSeconds}s (--wait-timeout ${r.wait?.timeoutSeconds})`,
      );
    }
  },
  json: (r) => ({
    dryRun: r.dryRun,
    level: r.level,
    regions: r.regions,
    ...outcomesJson(r.apply, changeJson),
    unchanged: r.unchanged,
    warnings: r.warnings,
    errors: r.errors,
    ...(r.wait ? { wait: r.wait.clusters } : {}),
  }),
};
