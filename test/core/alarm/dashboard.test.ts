import { describe, expect, it } from 'vitest';
import {
  DASHBOARD_LIMITS,
  DASHBOARD_MARKER,
  isEcsopsDashboard,
  planDashboardName,
  renderDashboardBody,
  sameDashboardBody,
  validateDashboardName,
} from '../../../src/core/alarm/dashboard.js';
import { UsageError } from '../../../src/errors.js';
import { evaluateQueries } from '../../helpers/cloudwatch-model.js';

type Body = {
  widgets: Array<{ type: string; properties: Record<string, unknown> & { metrics?: unknown[][] } }>;
};
const isMarker = (w: Body['widgets'][number]) =>
  w.type === 'text' && String(w.properties.markdown).startsWith(DASHBOARD_MARKER);
/** The body's widgets without the ecsops marker widget (always last). */
const parse = (body: string): Body => {
  const parsed = JSON.parse(body) as Body;
  return { widgets: parsed.widgets.filter((w) => !isMarker(w)) };
};

describe('renderDashboardBody', () => {
  it('draws one time-series widget per cluster with a running/desired line per service', () => {
    const body = parse(
      renderDashboardBody([{ region: 'eu-west-1', clusterName: 'prod', serviceNames: ['web', 'api'] }]),
    );
    expect(body.widgets).toHaveLength(1);
    const widget = body.widgets[0];
    expect(widget?.type).toBe('metric');
    expect(widget?.properties).toMatchObject({
      title: 'prod: running/desired tasks',
      view: 'timeSeries',
      region: 'eu-west-1',
      stat: 'Minimum',
      period: 60,
      yAxis: { left: { min: 0 } },
    });
    // Services sorted: api first. Raw metrics hidden, one visible expression each.
    expect(widget?.properties.metrics).toEqual([
      [
        'ECS/ContainerInsights',
        'RunningTaskCount',
        'ClusterName',
        'prod',
        'ServiceName',
        'api',
        { id: 'r0', visible: false },
      ],
      [
        'ECS/ContainerInsights',
        'DesiredTaskCount',
        'ClusterName',
        'prod',
        'ServiceName',
        'api',
        { id: 'd0', visible: false },
      ],
      [
        {
          expression: 'IF(FILL(d0, REPEAT) > 0, FILL(r0, 0) / FILL(d0, REPEAT), 1)',
          label: 'api running/desired',
          id: 'e0',
        },
      ],
      [
        'ECS/ContainerInsights',
        'RunningTaskCount',
        'ClusterName',
        'prod',
        'ServiceName',
        'web',
        { id: 'r1', visible: false },
      ],
      [
        'ECS/ContainerInsights',
        'DesiredTaskCount',
        'ClusterName',
        'prod',
        'ServiceName',
        'web',
        { id: 'd1', visible: false },
      ],
      [
        {
          expression: 'IF(FILL(d1, REPEAT) > 0, FILL(r1, 0) / FILL(d1, REPEAT), 1)',
          label: 'web running/desired',
          id: 'e1',
        },
      ],
    ]);
  });

  it('the dashboard line is the alarm ratio: an outage draws as 0, a scale to 0 as 1', () => {
    const _ = undefined;
    const queries = [
      { Id: 'r0', MetricStat: { Metric: { MetricName: 'RunningTaskCount' } }, ReturnData: false },
      { Id: 'd0', MetricStat: { Metric: { MetricName: 'DesiredTaskCount' } }, ReturnData: false },
      {
        Id: 'e0',
        Expression: 'IF(FILL(d0, REPEAT) > 0, FILL(r0, 0) / FILL(d0, REPEAT), 1)',
        ReturnData: true,
      },
    ];
    expect(
      evaluateQueries(queries, { RunningTaskCount: [2, 1, _, _], DesiredTaskCount: [2, 2, _, _] }, 4),
    ).toEqual([1, 0.5, 0, 0]);
    expect(
      evaluateQueries(queries, { RunningTaskCount: [2, 1, _, _], DesiredTaskCount: [2, 0, _, _] }, 4),
    ).toEqual([1, 1, 1, 1]);
  });

  it('is deterministic: same input in any order gives the same string', () => {
    const a = renderDashboardBody([
      { region: 'us-east-1', clusterName: 'b', serviceNames: ['y', 'x'] },
      { region: 'us-east-1', clusterName: 'a', serviceNames: ['z'] },
    ]);
    const b = renderDashboardBody([
      { region: 'us-east-1', clusterName: 'a', serviceNames: ['z'] },
      { region: 'us-east-1', clusterName: 'b', serviceNames: ['x', 'y', 'x'] },
    ]);
    expect(a).toBe(b);
    expect(parse(a).widgets.map((w) => w.properties.title)).toEqual([
      'a: running/desired tasks',
      'b: running/desired tasks',
    ]);
  });

  it('splits a cluster with more services than one widget can hold (500 metrics and expressions)', () => {
    const serviceNames = Array.from({ length: 400 }, (_, i) => `svc-${String(i).padStart(3, '0')}`);
    const body = parse(renderDashboardBody([{ region: 'us-east-1', clusterName: 'big', serviceNames }]));
    expect(body.widgets.map((w) => w.properties.title)).toEqual([
      'big: running/desired tasks (1/3)',
      'big: running/desired tasks (2/3)',
      'big: running/desired tasks (3/3)',
    ]);
    for (const widget of body.widgets) {
      expect(widget.properties.metrics?.length).toBeLessThanOrEqual(DASHBOARD_LIMITS.maxItemsPerWidget);
    }
    // Ids stay unique across widgets.
    const ids = body.widgets.flatMap((w) =>
      (w.properties.metrics ?? []).map((row) => JSON.stringify(row.at(-1))),
    );
    expect(new Set(ids).size).toBe(1200);
  });

  it('refuses more than 2500 metrics per dashboard', () => {
    const serviceNames = Array.from({ length: 1251 }, (_, i) => `s${i}`);
    expect(() => renderDashboardBody([{ region: 'us-east-1', clusterName: 'c', serviceNames }])).toThrow(
      UsageError,
    );
    expect(() =>
      renderDashboardBody([{ region: 'us-east-1', clusterName: 'c', serviceNames: serviceNames.slice(1) }]),
    ).not.toThrow();
  });

  it('uses a text widget for a cluster without services', () => {
    const body = parse(
      renderDashboardBody([{ region: 'us-east-1', clusterName: 'empty', serviceNames: [] }]),
    );
    expect(body.widgets).toEqual([expect.objectContaining({ type: 'text' })]);
  });
});

describe('the ecsops marker widget', () => {
  it('ends every dashboard ecsops renders, and only such a body counts as made by ecsops', () => {
    const body = renderDashboardBody([{ region: 'us-east-1', clusterName: 'prod', serviceNames: ['web'] }]);
    const widgets = (JSON.parse(body) as Body).widgets;
    expect(widgets.at(-1) && isMarker(widgets.at(-1) as Body['widgets'][number])).toBe(true);
    expect(widgets.filter(isMarker)).toHaveLength(1);
    expect(isEcsopsDashboard(body)).toBe(true);
    expect(isEcsopsDashboard(JSON.stringify({ widgets: widgets.filter((w) => !isMarker(w)) }))).toBe(false);
    expect(isEcsopsDashboard('not json')).toBe(false);
  });
});

describe('sameDashboardBody', () => {
  it('ignores key order and whitespace but not values', () => {
    const body = renderDashboardBody([{ region: 'eu-west-1', clusterName: 'prod', serviceNames: ['web'] }]);
    const reordered = JSON.stringify(JSON.parse(body), null, 2);
    const parsed = JSON.parse(body) as { widgets: Array<Record<string, unknown>> };
    const shuffled = JSON.stringify({
      widgets: parsed.widgets.map((w) => Object.fromEntries(Object.entries(w).reverse())),
    });
    expect(sameDashboardBody(body, reordered)).toBe(true);
    expect(sameDashboardBody(body, shuffled)).toBe(true);
    expect(sameDashboardBody(body, body.replace('"min":0', '"min":1'))).toBe(false);
    expect(sameDashboardBody(body, 'not json')).toBe(false);
  });
});

describe('dashboard names', () => {
  it('defaults to ecsops-<clusters>, sanitised', () => {
    expect(planDashboardName(['prod'])).toBe('ecsops-prod');
    expect(planDashboardName(['b', 'a'])).toBe('ecsops-a-b');
    expect(planDashboardName(['c'.repeat(300)])).toHaveLength(255);
  });

  it.each(['has space', 'dot.name', '', 'x'.repeat(256)])('rejects %j', (name) => {
    expect(() => validateDashboardName(name)).toThrow(UsageError);
  });
});
