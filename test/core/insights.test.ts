import { describe, expect, it } from 'vitest';
import type { ClusterState, InsightsLevel } from '../../src/core/ecs-types.js';
import {
  compareVersions,
  decideLevelChange,
  findOutdatedAgents,
  planInsightsChanges,
} from '../../src/core/insights.js';

const cluster = (name: string, containerInsights: InsightsLevel, region = 'us-east-1'): ClusterState => ({
  region,
  clusterName: name,
  clusterArn: `arn:aws:ecs:${region}:123456789012:cluster/${name}`,
  status: 'ACTIVE',
  containerInsights,
  registeredContainerInstancesCount: 0,
  activeServicesCount: 0,
});

describe('decideLevelChange', () => {
  it.each<[InsightsLevel, InsightsLevel, boolean, boolean]>([
    // current, target, allowDowngrade, changes?
    ['disabled', 'enabled', false, true],
    ['disabled', 'enhanced', false, true],
    ['enabled', 'enabled', false, false],
    ['enabled', 'enhanced', false, true],
    ['enhanced', 'enhanced', false, false],
    ['enhanced', 'enabled', false, false], // never downgrade silently
    ['enhanced', 'enabled', true, true],
    ['enabled', 'disabled', false, true], // `disable` is an explicit request
    ['enhanced', 'disabled', false, true],
    ['disabled', 'disabled', false, false],
  ])('%s -> %s (allowDowngrade=%s) changes: %s', (current, target, allowDowngrade, changes) => {
    expect(decideLevelChange(current, target, allowDowngrade).change).toBe(changes);
  });

  it('explains why enhanced is kept', () => {
    const d = decideLevelChange('enhanced', 'enabled', false);
    expect(d.change).toBe(false);
    expect(d.change === false && d.reason).toContain('--allow-downgrade');
  });
});

describe('planInsightsChanges', () => {
  it('plans only the clusters below the requested level, sorted by region then name', () => {
    const plan = planInsightsChanges({
      clusters: [cluster('b', 'disabled'), cluster('a', 'enhanced'), cluster('c', 'disabled', 'eu-west-1')],
      accountDefaults: [{ region: 'us-east-1', value: 'disabled' }],
      target: 'enabled',
      allowDowngrade: false,
    });
    expect(
      plan.changes.map((c) =>
        c.kind === 'update-cluster-setting' ? `${c.region}/${c.clusterName}` : `default/${c.region}`,
      ),
    ).toEqual(['default/us-east-1', 'eu-west-1/c', 'us-east-1/b']);
    expect(plan.unchanged.map((u) => u.target)).toEqual(['a']);
  });

  it('a second run over the applied result plans nothing', () => {
    const first = planInsightsChanges({
      clusters: [cluster('a', 'disabled')],
      accountDefaults: [],
      target: 'enhanced',
      allowDowngrade: false,
    });
    const after = first.changes.map((c) =>
      cluster(c.kind === 'update-cluster-setting' ? c.clusterName : '', c.to),
    );
    const second = planInsightsChanges({
      clusters: after,
      accountDefaults: [],
      target: 'enhanced',
      allowDowngrade: false,
    });
    expect(second.changes).toEqual([]);
  });
});

describe('agent versions', () => {
  it.each([
    ['1.29.0', '1.29.0', 0],
    ['1.9.0', '1.29.0', -1],
    ['1.30.0', '1.29.0', 1],
    ['v1.29.1', '1.29.0', 1],
    ['1.29', '1.29.0', 0],
  ])('compareVersions(%s, %s) has sign %d', (a, b, sign) => {
    expect(Math.sign(compareVersions(a, b))).toBe(sign);
  });

  it('flags agents older than 1.29.0 and unknown versions', () => {
    const outdated = findOutdatedAgents([
      { id: 'new', agentVersion: '1.80.0' },
      { id: 'old', agentVersion: '1.28.1' },
      { id: 'unknown', agentVersion: undefined },
    ]);
    expect(outdated.map((i) => i.id)).toEqual(['old', 'unknown']);
  });
});
