import { UsageError } from '../../errors.js';
import { CONTAINER_INSIGHTS_NAMESPACE } from './definition.js';

/** The services of one cluster to draw, in any order. */
export interface DashboardCluster {
  /** The cluster's region; each widget reads metrics from it. */
  region: string;
  clusterName: string;
  serviceNames: string[];
}

/** Dashboard quotas (CloudWatch user guide, "CloudWatch service quotas" and "Using metric math"). */
export const DASHBOARD_LIMITS = {
  /**
   * "Each graph is limited to using a maximum of 500 metrics and expressions"; the quota page adds
   * that hidden metrics feeding metric math count too.
   */
  maxItemsPerWidget: 500,
  /** "Up to 2500 metrics per dashboard, across all widgets" (metrics only, hidden ones included). */
  maxMetricsPerDashboard: 2500,
  /** DashboardName: up to 255 characters of A-Z, a-z, 0-9, "-" and "_". */
  maxNameLength: 255,
} as const;

/** Per service: RunningTaskCount + DesiredTaskCount (hidden) and one visible expression. */
const ITEMS_PER_SERVICE = 3;
const METRICS_PER_SERVICE = 2;
const SERVICES_PER_WIDGET = Math.floor(DASHBOARD_LIMITS.maxItemsPerWidget / ITEMS_PER_SERVICE);

/** The per-service line: the alarm's ratio folded into one expression, so an outage draws as 0. */
export function renderServiceRatioExpression(runningId: string, desiredId: string): string {
  return `IF(FILL(${desiredId}, REPEAT) > 0, FILL(${runningId}, 0) / FILL(${desiredId}, REPEAT), 1)`;
}

/** Default dashboard name for a set of clusters. */
export function planDashboardName(clusterNames: readonly string[]): string {
  const base = `ecsops-${[...clusterNames].sort().join('-')}`.replace(/[^A-Za-z0-9_-]/g, '_');
  return base.length <= DASHBOARD_LIMITS.maxNameLength ? base : base.slice(0, DASHBOARD_LIMITS.maxNameLength);
}

/** Throws a UsageError unless `name` is a valid CloudWatch dashboard name. */
export function validateDashboardName(name: string): void {
  if (!/^[A-Za-z0-9_-]{1,255}$/.test(name)) {
    throw new UsageError(
      `Dashboard name ${JSON.stringify(name)} is invalid`,
      'Use 1-255 characters: letters, digits, "-" and "_".',
    );
  }
}

type MetricRow = (string | Record<string, unknown>)[];

interface Widget {
  type: 'metric' | 'text';
  x: number;
  y: number;
  width: number;
  height: number;
  properties: Record<string, unknown>;
}

/**
 * The PutDashboard body: one time-series widget per cluster (split into "part n/m" widgets beyond
 * 166 services, the per-widget limit), a `running/desired` line per service, raw metrics hidden,
 * Minimum over 60 s, left y-axis from 0. Keys are emitted in a fixed order and services sorted, so
 * the same input always yields the same string and GetDashboard can be compared byte for byte.
 */
export function renderDashboardBody(clusters: readonly DashboardCluster[]): string {
  const totalMetrics = clusters.reduce((n, c) => n + new Set(c.serviceNames).size * METRICS_PER_SERVICE, 0);
  if (totalMetrics > DASHBOARD_LIMITS.maxMetricsPerDashboard) {
    throw new UsageError(
      `The dashboard would use ${totalMetrics} metrics; CloudWatch allows ${DASHBOARD_LIMITS.maxMetricsPerDashboard} per dashboard`,
      'Create one dashboard per cluster: run dashboard create once per --cluster with its own --name.',
    );
  }
  const widgets: Widget[] = [];
  let y = 0;
  const place = (widget: Omit<Widget, 'x' | 'y'>): void => {
    widgets.push({
      type: widget.type,
      x: 0,
      y,
      width: widget.width,
      height: widget.height,
      properties: widget.properties,
    });
    y += widget.height;
  };
  const sorted = [...clusters].sort((a, b) =>
    a.clusterName < b.clusterName ? -1 : a.clusterName > b.clusterName ? 1 : 0,
  );
  for (const cluster of sorted) {
    const services = [...new Set(cluster.serviceNames)].sort();
    if (services.length === 0) {
      // A metric widget needs at least one metric; say why the cluster has no graph instead.
      place({
        type: 'text',
        width: 24,
        height: 2,
        properties: { markdown: `**${cluster.clusterName}**: no services when this dashboard was created.` },
      });
      continue;
    }
    const parts = Math.max(1, Math.ceil(services.length / SERVICES_PER_WIDGET));
    for (let part = 0; part < parts; part++) {
      const chunk = services.slice(part * SERVICES_PER_WIDGET, (part + 1) * SERVICES_PER_WIDGET);
      const metrics: MetricRow[] = [];
      chunk.forEach((service, i) => {
        const n = part * SERVICES_PER_WIDGET + i;
        const dims = ['ClusterName', cluster.clusterName, 'ServiceName', service];
        metrics.push([
          CONTAINER_INSIGHTS_NAMESPACE,
          'RunningTaskCount',
          ...dims,
          { id: `r${n}`, visible: false },
        ]);
        metrics.push([
          CONTAINER_INSIGHTS_NAMESPACE,
          'DesiredTaskCount',
          ...dims,
          { id: `d${n}`, visible: false },
        ]);
        metrics.push([
          {
            expression: renderServiceRatioExpression(`r${n}`, `d${n}`),
            label: `${service} running/desired`,
            id: `e${n}`,
          },
        ]);
      });
      const title =
        parts === 1
          ? `${cluster.clusterName}: running/desired tasks`
          : `${cluster.clusterName}: running/desired tasks (${part + 1}/${parts})`;
      place({
        type: 'metric',
        width: 24,
        height: 6,
        properties: {
          title,
          view: 'timeSeries',
          stacked: false,
          region: cluster.region,
          stat: 'Minimum',
          period: 60,
          yAxis: { left: { min: 0 } },
          metrics,
        },
      });
    }
  }
  // The mark of a dashboard ecsops made: only such a dashboard is replaced without --force.
  place({ type: 'text', width: 24, height: 1, properties: { markdown: DASHBOARD_MARKER_MARKDOWN } });
  return JSON.stringify({ widgets });
}

/** The text ecsops puts in every dashboard it writes; a dashboard without it was made by someone else. */
export const DASHBOARD_MARKER = 'Managed by ecsops';
const DASHBOARD_MARKER_MARKDOWN = `${DASHBOARD_MARKER}: \`ecsops dashboard create\` rewrites this dashboard, so edits made here are replaced.`;

/** Whether a dashboard body carries ecsops's marker widget. */
export function isEcsopsDashboard(body: string): boolean {
  const parsed = safeParse(body) as { widgets?: { type?: string; properties?: { markdown?: unknown } }[] };
  return (parsed?.widgets ?? []).some(
    (w) =>
      w?.type === 'text' &&
      typeof w.properties?.markdown === 'string' &&
      w.properties.markdown.startsWith(DASHBOARD_MARKER),
  );
}

/** Whether two dashboard bodies are the same dashboard, ignoring key order and whitespace. */
export function sameDashboardBody(a: string, b: string): boolean {
  return canonicalJson(safeParse(a)) === canonicalJson(safeParse(b));
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    );
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
