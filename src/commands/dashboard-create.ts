import {
  isEcsopsDashboard,
  planDashboardName,
  renderDashboardBody,
  sameDashboardBody,
  validateDashboardName,
} from '../core/alarm/dashboard.js';
import { buildTemplate, type CfnTemplate } from '../core/alarm/template.js';
import { ExitCode, UsageError } from '../errors.js';
import { reportDashboardPlan } from '../output/dashboard.js';
import type { CommandResult } from '../output/present.js';
import { renderTemplate, type TemplateFormat } from '../output/template.js';
import { readServices } from './alarm-list.js';
import { type ApplyResult, applyChanges, applyExitCode, type MutatingOptions } from './apply-flow.js';
import type { CommandContext } from './context.js';
import { readNamedClusters } from './read-clusters.js';
import { resolveRegions } from './regions.js';

/** Parsed flags of `dashboard create`. */
export interface DashboardCreateOptions extends MutatingOptions {
  clusters: string[];
  name?: string | undefined;
  /** Replace a dashboard of that name that ecsops did not make. */
  force: boolean;
  /** --emit cloudformation: print a template with the dashboard instead of writing it. */
  emit?: { kind: 'cloudformation'; format: TemplateFormat } | undefined;
}

/** The typed result of `dashboard create --emit cloudformation`: nothing written. */
export interface DashboardEmitResult extends CommandResult {
  kind: 'emit';
  format: TemplateFormat;
  dashboardName: string;
  template: CfnTemplate;
  text: string;
  widgets: number;
  services: number;
}

/** The one write of `dashboard create`. */
export interface DashboardChange {
  kind: 'create-dashboard' | 'update-dashboard';
  region: string;
  dashboardName: string;
  body: string;
  widgets: number;
  services: number;
  clusterNames: string[];
}

/** The typed result of `dashboard create`. */
export interface DashboardCreateResult extends CommandResult {
  kind: 'apply';
  dryRun: boolean;
  region: string;
  dashboardName: string;
  action: 'create' | 'update' | 'unchanged';
  widgets: number;
  services: number;
  apply: ApplyResult<DashboardChange>;
  /** Messages CloudWatch returned with PutDashboard. */
  validationMessages: string[];
}

/**
 * `ecsops dashboard create`: one running/desired widget per cluster, written with PutDashboard only
 * when GetDashboard shows a different body, so a second run writes nothing. A dashboard of that name
 * that ecsops did not make (no marker widget) is replaced only with --force.
 */
export async function runDashboardCreate(
  options: DashboardCreateOptions,
  ctx: CommandContext,
): Promise<DashboardCreateResult | DashboardEmitResult> {
  if (options.clusters.length === 0) throw new UsageError('Name at least one --cluster');
  const name = options.name ?? planDashboardName(options.clusters);
  validateDashboardName(name);
  const regions = await resolveRegions(ctx);
  const clusters = await readNamedClusters(ctx, regions, options.clusters);
  const { services } = await readServices(ctx, clusters, 'all');
  const byCluster = new Map<string, string[]>();
  for (const s of services) {
    const key = `${s.region} ${s.clusterName}`;
    byCluster.set(key, [...(byCluster.get(key) ?? []), s.serviceName]);
  }
  const body = renderDashboardBody(
    clusters.map((c) => ({
      region: c.region,
      clusterName: c.clusterName,
      serviceNames: byCluster.get(`${c.region} ${c.clusterName}`) ?? [],
    })),
  );
  if (options.emit) {
    const template = buildTemplate({
      description: `ecsops running/desired dashboard for cluster(s) ${[...new Set(clusters.map((c) => c.clusterName))].sort().join(', ')}.`,
      topics: [],
      alarms: [],
      dashboards: [{ name, body }],
    });
    return {
      kind: 'emit',
      exitCode: ExitCode.ok,
      format: options.emit.format,
      dashboardName: name,
      template,
      text: await renderTemplate(template, options.emit.format),
      widgets: (JSON.parse(body) as { widgets: unknown[] }).widgets.length,
      services: services.length,
    };
  }
  // Dashboards are listed per region; it lives in the first selected region and shows every
  // cluster's metrics from its own region.
  const home = regions[0] as string;
  const cloudwatch = await ctx.aws.cloudwatch(home);
  const current = await cloudwatch.getDashboardBody(name);
  if (current !== undefined && !isEcsopsDashboard(current) && !options.force) {
    throw new UsageError(
      `Dashboard ${name} exists in ${home} and was not made by ecsops: not replacing it.`,
      `Nothing was changed. Choose another --name, or pass --force to replace it with the ecsops dashboard.`,
    );
  }
  const action = current === undefined ? 'create' : sameDashboardBody(current, body) ? 'unchanged' : 'update';
  const widgets = (JSON.parse(body) as { widgets: unknown[] }).widgets.length;
  const changes: DashboardChange[] =
    action === 'unchanged'
      ? []
      : [
          {
            kind: action === 'create' ? 'create-dashboard' : 'update-dashboard',
            region: home,
            dashboardName: name,
            body,
            widgets,
            services: services.length,
            clusterNames: clusters.map((c) => c.clusterName),
          },
        ];
  reportDashboardPlan(ctx.out, changes);

  const validationMessages: string[] = [];
  const apply = await applyChanges(ctx, options, {
    changes,
    question: `${action === 'create' ? 'Create' : 'Update'} dashboard ${name}?`,
    label: (c) => `${c.region} dashboard ${c.dashboardName}`,
    applyOne: async (c) => {
      validationMessages.push(...(await cloudwatch.putDashboard(c.dashboardName, c.body)));
    },
  });
  for (const m of validationMessages) ctx.out.warn(`PutDashboard: ${m}`);
  return {
    kind: 'apply',
    exitCode: applyExitCode(apply),
    dryRun: options.dryRun,
    region: home,
    dashboardName: name,
    action,
    widgets,
    services: services.length,
    apply,
    validationMessages,
  };
}
