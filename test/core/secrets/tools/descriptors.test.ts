// Wrapper descriptors: every list ecsops keeps about wrappers is derived from them, and they match what
// the adapters actually recognise.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type MigrateOptions, prepareMigration } from '../../../../src/core/secrets/migrate.js';
import {
  describeMigratableWrappers,
  describeWrappers,
  type EnvPattern,
  matchesEnvPattern,
  TOOL_DESCRIPTORS,
  type WrapperDescriptor,
  wrapperBinaries,
  wrapperEnvSignals,
} from '../../../../src/core/secrets/tools/descriptors.js';
import {
  KNOWN_WRAPPER_BINARIES,
  TOOL_ADAPTERS,
  WRAPPER_ENV_SIGNALS,
} from '../../../../src/core/secrets/tools/index.js';
import { TOOL_NAMES, type ToolAdapter } from '../../../../src/core/secrets/tools/types.js';
import { UNSUPPORTED_WRAPPERS } from '../../../../src/core/secrets/tools/unsupported.js';
import { readTaskDefinitionDocument } from '../../../../src/core/task-definition/parse.js';

const adapterDescriptors: WrapperDescriptor[] = TOOL_ADAPTERS.map((a) => a.descriptor);
const allDescriptors: WrapperDescriptor[] = [...adapterDescriptors, ...UNSUPPORTED_WRAPPERS];
const options: MigrateOptions = { valueFrom: 'arn', region: 'eu-west-1', accountId: '123456789012' };

function td(container: Record<string, unknown>) {
  return readTaskDefinitionDocument(
    {
      family: 'app',
      executionRoleArn: 'arn:aws:iam::123456789012:role/exec',
      containerDefinitions: [{ name: 'app', image: 'app', ...container }],
    },
    'td.json',
  );
}

// An env entry a pattern matches: `*` filled in with a plausible suffix.
function exampleEntry(pattern: EnvPattern): { name: string; value: string } {
  return 'name' in pattern
    ? { name: pattern.name.replace(/\*$/, 'PATHS'), value: '/app/' }
    : { name: 'DB_PASSWORD', value: pattern.value.replace(/\*$/, '/app/db-password') };
}

describe('derived lists equal the union over the adapters', () => {
  it('lists adapters in descriptor order, each under its own name', () => {
    expect(adapterDescriptors).toEqual(TOOL_DESCRIPTORS);
    expect(TOOL_ADAPTERS.map((a) => a.tool)).toEqual(adapterDescriptors.map((d) => d.name));
    expect(TOOL_NAMES).toEqual(TOOL_ADAPTERS.map((a) => a.tool));
  });

  it('derives KNOWN_WRAPPER_BINARIES from adapters and unsupported wrappers, unchanged from the hand-written list', () => {
    expect(KNOWN_WRAPPER_BINARIES).toEqual([
      ...new Set([...adapterDescriptors, ...UNSUPPORTED_WRAPPERS].flatMap((d) => d.binaries)),
    ]);
    expect(KNOWN_WRAPPER_BINARIES).toEqual([
      'chamber',
      'ssm-env',
      'aws-env',
      'ssmwrap',
      'parameter-store-exec',
      'ssm-parent',
      'secrets-init',
      'pstore',
      'aws-ssm-env',
      'aws-secretsmanager-env',
      'confd',
    ]);
  });

  it('derives the wrapper env signals from the adapters', () => {
    expect(WRAPPER_ENV_SIGNALS).toEqual(adapterDescriptors.flatMap((d) => d.envSignals));
  });

  it('describes the migratable wrappers as the CLI did before (detection order, display names)', () => {
    expect(describeMigratableWrappers()).toBe('chamber, ssm-env, aws-env, ssmwrap, parameter-store-exec');
  });
});

describe('a new adapter shows up in every derived list', () => {
  const fake: WrapperDescriptor = {
    name: 'envwrap',
    displayName: 'envwrap',
    binaries: ['envwrap'],
    envNames: ['ENVWRAP_*'],
    envSignals: [{ name: 'ENVWRAP_PATH' }],
    argvForms: ['envwrap PATH -- CMD...'],
    migratable: true,
  };
  const registry = [...TOOL_ADAPTERS.map((a) => a.descriptor), fake];

  it('adds its binaries, env signals and display name', () => {
    expect(wrapperBinaries(registry)).toEqual([...wrapperBinaries(adapterDescriptors), 'envwrap']);
    expect(wrapperEnvSignals(registry)).toEqual([...WRAPPER_ENV_SIGNALS, { name: 'ENVWRAP_PATH' }]);
    expect(describeWrappers(registry)).toBe(`${describeMigratableWrappers()}, envwrap`);
  });

  it('keeps a wrapper that is not migratable out of the description but not out of the binaries', () => {
    const unsupported: WrapperDescriptor = { ...fake, migratable: false, reason: 'not yet' };
    expect(describeWrappers([...adapterDescriptors, unsupported])).toBe(describeMigratableWrappers());
    expect(wrapperBinaries([...adapterDescriptors, unsupported])).toContain('envwrap');
  });
});

describe('descriptors are complete and consistent', () => {
  it.each(allDescriptors.map((d) => [d.name, d] as const))('%s has argv forms and a display name', (_, d) => {
    expect(d.argvForms.length).toBeGreaterThan(0);
    expect(d.argvForms.every((f) => f.trim() !== '')).toBe(true);
    expect(d.displayName).not.toBe('');
  });

  it.each(adapterDescriptors.filter((d) => d.migratable).map((d) => [d.name, d] as const))(
    'migratable %s is recognised by at least one binary',
    (_, d) => {
      expect(d.binaries.length).toBeGreaterThan(0);
    },
  );

  it.each(allDescriptors.flatMap((d) => (d.migratable ? [] : [[d.name, d.reason] as const])))(
    'non-migratable %s says why',
    (_, reason) => {
      expect(reason.trim()).not.toBe('');
    },
  );

  it('gives every wrapper its own name and every binary one owner', () => {
    const names = allDescriptors.map((d) => d.name);
    expect(new Set(names).size).toBe(names.length);
    const binaries = allDescriptors.flatMap((d) => d.binaries);
    expect(new Set(binaries).size).toBe(binaries.length);
  });

  it.each(adapterDescriptors.map((d) => [d.name, d] as const))(
    '%s env signals by name are among the env names it reads',
    (_, d) => {
      for (const signal of d.envSignals) {
        if (!('name' in signal)) continue;
        const entry = exampleEntry(signal);
        expect(d.envNames.some((n) => matchesEnvPattern({ name: n }, entry))).toBe(true);
      }
    },
  );
});

describe('descriptors match what the adapters recognise', () => {
  const ctx = { region: 'eu-west-1' };
  const cases = TOOL_ADAPTERS.flatMap((a) =>
    a.descriptor.binaries.flatMap((b) => [
      [a.tool, b, [b, 'node', 'app.js']],
      [a.tool, `/usr/local/bin/${b}`, [`/usr/local/bin/${b}`, 'node', 'app.js']],
    ]),
  ) as [string, string, string[]][];

  it.each(cases)('%s detects argv[0] %s', (tool, _, argv) => {
    const adapter = TOOL_ADAPTERS.find((a) => a.tool === tool) as ToolAdapter<never>;
    expect(adapter.detect({ name: 'app', argv, environment: [] }, ctx)).toBe(true);
  });

  it.each(WRAPPER_ENV_SIGNALS.map((p) => [JSON.stringify(p), exampleEntry(p)] as const))(
    'env signal %s alone, with the image entry point unknown, asks for it',
    (_, entry) => {
      const prep = prepareMigration(td({ environment: [entry] }), options);
      expect(prep.refusals.map((r) => r.reason)).toEqual([
        expect.stringContaining(`wrapper configuration (${entry.name}=${entry.value}`),
      ]);
    },
  );

  it('does not treat a tuning knob (CHAMBER_RETRIES) as a sign that a wrapper runs', () => {
    const prep = prepareMigration(td({ environment: [{ name: 'CHAMBER_RETRIES', value: '3' }] }), options);
    expect(prep.refusals).toEqual([]);
    expect(prep.containers).toEqual([]);
  });

  it.each(UNSUPPORTED_WRAPPERS.flatMap((d) => d.binaries.map((b) => [d.name, b] as const)))(
    'refuses unsupported %s (%s) instead of finding nothing to do',
    (_, binary) => {
      const prep = prepareMigration(td({ entryPoint: [binary, 'node', 'app.js'] }), options);
      expect(prep.refusals.map((r) => r.reason)).toEqual([
        `${binary} is used in a form ecsops does not migrate; rewrite it by hand`,
      ]);
    },
  );
});

describe('matchesEnvPattern', () => {
  it.each<[EnvPattern, string, string, boolean]>([
    [{ name: 'AWS_ENV_PATH' }, 'AWS_ENV_PATH', '/app/', true],
    [{ name: 'AWS_ENV_PATH' }, 'AWS_ENV_PATH_X', '/app/', false],
    [{ name: 'SSMWRAP_*' }, 'SSMWRAP_PATHS', '/app/', true],
    [{ name: 'SSMWRAP_*' }, 'XSSMWRAP_PATHS', '/app/', false],
    [{ value: 'ssm://*' }, 'DB', 'ssm:///app/db', true],
    [{ value: 'ssm://*' }, 'DB', 'https://ssm://x', false],
    [{ value: 'chamberme' }, 'DB', 'chamberme', true],
    [{ value: 'chamberme' }, 'chamberme', 'x', false],
  ])('%j against %s=%s is %s', (pattern, name, value, expected) => {
    expect(matchesEnvPattern(pattern, { name, value })).toBe(expected);
  });
});

describe('help stays cheap', () => {
  // `ecsops --help` imports describeMigratableWrappers; the descriptor modules must not pull in adapters.
  it.each([
    ['descriptors.ts', ['./unsupported.js']],
    ['unsupported.ts', []],
  ])('%s has no runtime import beyond %j', (file, allowed) => {
    const source = readFileSync(
      new URL(`../../../../src/core/secrets/tools/${file}`, import.meta.url),
      'utf8',
    );
    // Value imports and re-exports (`import type` / `export type` are erased and load nothing).
    const loads =
      /^(?:import\s+(?!type\b)[^;]*?from\s+|import\s+|export\s+(?!type\b)(?:\*|\{[^}]*\})\s+from\s+)'([^']+)'/gm;
    const runtime = [...source.matchAll(loads)].map((m) => m[1]);
    expect(runtime).toEqual(allowed);
  });
});
