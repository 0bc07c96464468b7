// Fixture-driven FireLens migration tests: one file per task-definition shape under
// test/fixtures/logs/, each with its expected result.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type ConfigDelivery, planLogsMigration } from '../../../src/core/logs/migrate.js';
import { parseTaskDefinition } from '../../../src/core/task-definition/parse.js';

interface Fixture {
  description: string;
  options: { delivery?: ConfigDelivery; keepMetadata?: boolean };
  input: unknown;
  expected: {
    status: string;
    containers?: Record<string, { logDriver: string; options?: Record<string, string> }>;
    router?: { name: string; logGroup?: string; configFileValue?: string; initObjects?: string[] };
    refusals?: string[];
    parsersContain?: string[];
    routerCount?: number;
    rows?: Record<string, string>;
  };
}

const dir = join(import.meta.dirname, '../../fixtures/logs');
const files = readdirSync(dir).filter((f) => f.endsWith('.json'));

type Container = {
  name: string;
  image?: string;
  essential?: boolean;
  firelensConfiguration?: { type: string; options?: Record<string, string> };
  environment?: { name: string; value: string }[];
  logConfiguration?: { logDriver: string; options?: Record<string, string> };
};

describe('logs migrate fixtures (test/fixtures/logs)', () => {
  it('has the shapes the issue lists', () => {
    expect(files.length).toBeGreaterThanOrEqual(10);
  });

  it.each(files)('%s', (file) => {
    const fixture = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Fixture;
    const parsed = parseTaskDefinition(JSON.stringify(fixture.input, null, 2), file);
    const plan = planLogsMigration(parsed, {
      routerImage: { kind: 'version', version: '2.32.2.20241008' },
      keepMetadata: fixture.options.keepMetadata ?? false,
      rules: [],
      delivery: fixture.options.delivery ?? { kind: 'none' },
      region: 'us-east-1',
      account: '123456789012',
      partition: 'aws',
    });
    const e = fixture.expected;
    expect(plan.status, fixture.description).toBe(e.status);
    for (const r of e.refusals ?? []) {
      expect(plan.refusals.map((x) => x.reason).join('\n')).toContain(r);
    }
    if (e.status !== 'migrated') {
      expect(plan.document).toBeUndefined();
      return;
    }
    const containers = (plan.document as { containerDefinitions: Container[] }).containerDefinitions;
    const byName = new Map(containers.map((c) => [c.name, c]));
    for (const [name, want] of Object.entries(e.containers ?? {})) {
      const got = byName.get(name)?.logConfiguration;
      expect(got?.logDriver, name).toBe(want.logDriver);
      if (want.options) expect(got?.options, name).toEqual(want.options);
    }
    const routers = containers.filter((c) => c.firelensConfiguration !== undefined);
    expect(routers).toHaveLength(e.routerCount ?? 1);
    if (e.router) {
      const router = byName.get(e.router.name) as Container;
      expect(router.essential).toBe(true);
      expect(router.image).toMatch(
        /^public\.ecr\.aws\/aws-observability\/aws-for-fluent-bit:(init-)?2\.32\.2\.20241008$/,
      );
      expect(router.image).not.toMatch(/latest|stable/);
      expect(router.logConfiguration?.logDriver).toBe('awslogs');
      expect(router.logConfiguration?.options?.['awslogs-stream-prefix']).toBe('firelens');
      if (e.router.logGroup)
        expect(router.logConfiguration?.options?.['awslogs-group']).toBe(e.router.logGroup);
      if (e.router.configFileValue) {
        expect(router.firelensConfiguration?.options?.['config-file-value']).toBe(e.router.configFileValue);
      }
      if (e.router.initObjects) {
        expect(router.image).toContain(':init-');
        expect(router.environment?.map((x) => x.value)).toEqual(e.router.initObjects);
        expect(router.firelensConfiguration?.options?.['config-file-type']).toBeUndefined();
      }
    }
    for (const s of e.parsersContain ?? []) expect(plan.config?.parsers).toContain(s);
    for (const [name, action] of Object.entries(e.rows ?? {})) {
      expect(plan.rows.find((r) => r.container === name)?.action).toBe(action);
    }
    // The plan is what would be registered: no awslogs container is left but the router itself.
    for (const c of containers) {
      if (c.logConfiguration?.logDriver === 'awslogs') {
        expect(c.firelensConfiguration, `${c.name} still on awslogs`).toBeDefined();
      }
    }
  });
});
