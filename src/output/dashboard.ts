/** How `dashboard create` looks, for people and as JSON. */
import type {
  DashboardChange,
  DashboardCreateResult,
  DashboardEmitResult,
} from '../commands/dashboard-create.js';
import { reportOutcomes } from './apply.js';
import { renderPlanLines } from './plan.js';
import type { ResultView } from './present.js';
import type { Reporter } from './reporter.js';

const label = (c: DashboardChange) => `${c.region} dashboard ${c.dashboardName}`;

/** The plan, shown before the confirmation (stdout; dropped under --json). */
export function reportDashboardPlan(out: Reporter, changes: readonly DashboardChange[]): void {
  for (const c of changes) {
    const detail = `${c.widgets} widget(s), ${c.services} service(s) in ${c.clusterNames.join(', ')}`;
    out.result(
      renderPlanLines(
        [{ sign: c.kind === 'create-dashboard' ? '+' : '~', text: `${label(c)}: ${detail}` }],
        out.colors,
      ),
    );
  }
}

function status(r: DashboardCreateResult): string {
  if (r.action === 'unchanged') return 'unchanged';
  if (r.apply.mode === 'dry-run') return 'planned';
  return r.apply.outcomes[0]?.status ?? 'planned';
}

/** `dashboard create`. */
export const dashboardCreateView: ResultView<DashboardCreateResult | DashboardEmitResult> = {
  human(r, out) {
    if (r.kind === 'emit') {
      out.result(r.text);
      out.info(
        `Template: dashboard ${r.dashboardName} (${r.widgets} widget(s), ${r.services} service(s)); nothing was written.`,
      );
      return;
    }
    if (r.action === 'unchanged') {
      out.info(`Dashboard ${r.dashboardName} is up to date. Nothing to do.`);
      return;
    }
    reportOutcomes(out, r.apply, label);
  },
  json: (r) =>
    r.kind === 'emit'
      ? {
          emit: 'cloudformation',
          format: r.format,
          dashboardName: r.dashboardName,
          template: r.format === 'json' ? r.template : r.text,
          widgets: r.widgets,
          services: r.services,
        }
      : applyJson(r),
};

function applyJson(r: DashboardCreateResult): Record<string, unknown> {
  return {
    dryRun: r.dryRun,
    region: r.region,
    dashboardName: r.dashboardName,
    action: r.action,
    status: status(r),
    widgets: r.widgets,
    services: r.services,
    ...(r.apply.outcomes[0]?.reason ? { error: r.apply.outcomes[0].reason } : {}),
    ...(r.apply.interrupted ? { interrupted: true } : {}),
    ...(r.validationMessages.length ? { validationMessages: r.validationMessages } : {}),
  };
}
