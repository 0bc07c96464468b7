import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createProgram } from '../../src/cli/program.js';
import type { CommandContext } from '../../src/commands/context.js';
import { UsageError } from '../../src/errors.js';

// argv -> typed options for the alarm and dashboard groups; the command functions are replaced.
const calls = vi.hoisted(() => ({
  create: [] as unknown[],
  list: [] as unknown[],
  delete: [] as unknown[],
  prune: [] as unknown[],
  dashboard: [] as unknown[],
}));
const record = vi.hoisted(() => (list: unknown[], options: unknown) => {
  list.push(options);
  return { exitCode: 0 };
});
vi.mock('../../src/commands/alarm-create.js', () => ({
  runAlarmCreate: async (o: unknown) => record(calls.create, o),
}));
vi.mock('../../src/commands/alarm-list.js', () => ({
  runAlarmList: async (o: unknown) => record(calls.list, o),
}));
vi.mock('../../src/commands/alarm-delete.js', () => ({
  runAlarmDelete: async (o: unknown) => record(calls.delete, o),
}));
vi.mock('../../src/commands/alarm-prune.js', () => ({
  runAlarmPrune: async (o: unknown) => record(calls.prune, o),
}));
vi.mock('../../src/commands/dashboard-create.js', () => ({
  runDashboardCreate: async (o: unknown) => record(calls.dashboard, o),
}));
// The views are tested with the commands; here only the options matter.
vi.mock('../../src/output/present.js', () => ({
  present: (_out: unknown, result: { exitCode: number }) => result.exitCode,
}));

async function parse(...argv: string[]) {
  let error: unknown;
  const program = createProgram({
    version: '0.0.0',
    run: async (_command, body) => {
      try {
        await body({} as CommandContext);
      } catch (e) {
        error = e;
      }
    },
  });
  program.configureOutput({ writeOut: () => undefined, writeErr: () => undefined });
  await program.parseAsync(['node', 'ecsops', ...argv]);
  if (error) throw error;
}

beforeEach(() => {
  for (const list of Object.values(calls)) list.length = 0;
});

describe('alarm / dashboard flags', () => {
  it('alarm create: every flag reaches the options', async () => {
    await parse(
      'alarm',
      'create',
      '--cluster',
      'a,b',
      '--cluster',
      'c',
      '--all-services',
      '--threshold',
      '0.5',
      '--period',
      '120',
      '--evaluation-periods',
      '5',
      '--datapoints-to-alarm',
      '3',
      '--missing-data',
      'breaching',
      '--sns-topic',
      'arn:aws:sns:us-east-1:123456789012:t',
      '--no-ok-actions',
      '--name-prefix',
      'team',
      '--description',
      'd',
      '--tag',
      'k=v,w',
      '--tag',
      'x=',
      '--include-zero-desired',
      '--enable-insights',
      '--dry-run',
    );
    expect(calls.create).toEqual([
      {
        clusters: ['a', 'b', 'c'],
        services: { kind: 'all' },
        alarm: {
          threshold: 0.5,
          period: 120,
          evaluationPeriods: 5,
          datapointsToAlarm: 3,
          missingData: 'breaching',
          namePrefix: 'team',
          description: 'd',
        },
        actions: { kind: 'topics', topics: ['arn:aws:sns:us-east-1:123456789012:t'], okActions: false },
        tags: [
          { Key: 'k', Value: 'v,w' },
          { Key: 'x', Value: '' },
        ],
        includeZeroDesired: true,
        enableInsights: true,
        events: true,
        taskStops: false,
        emit: undefined,
        dryRun: true,
        yes: false,
      },
    ]);
  });

  it('alarm create: defaults leave the alarm options unset, so core fills them in; no --sns-topic keeps actions', async () => {
    await parse('alarm', 'create', '--cluster', 'a', '--service', 'web', '--yes');
    expect(calls.create[0]).toMatchObject({
      services: { kind: 'named', names: ['web'] },
      alarm: { threshold: undefined, period: undefined },
      actions: { kind: 'keep' },
      yes: true,
    });
    await parse('alarm', 'create', '--cluster', 'a', '--all-services', '--no-actions');
    expect(calls.create[1]).toMatchObject({ actions: { kind: 'none' } });
  });

  it.each([
    [['--all-services'], /Name at least one --cluster/],
    [['--cluster', 'a'], /--service NAME or --all-services/],
    [['--cluster', 'a', '--all-services', '--service', 'web'], /cannot be used together/],
    [
      ['--cluster', 'a', '--all-services', '--sns-topic', 'arn:aws:sns:us-east-1:1:t', '--no-actions'],
      /--no-actions/,
    ],
    [['--cluster', 'a', '--all-services', '--no-ok-actions'], /--no-ok-actions needs --sns-topic/],
  ])('alarm create %j is a usage error before any command runs', async (args, message) => {
    const error = await parse('alarm', 'create', ...args).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(message);
    expect(calls.create).toEqual([]);
  });

  it('a malformed --tag is a usage error; a bad --missing-data or --threshold is rejected by commander', async () => {
    await expect(
      parse('alarm', 'create', '--cluster', 'a', '--all-services', '--tag', 'novalue'),
    ).rejects.toBeInstanceOf(UsageError);
    await expect(
      parse('alarm', 'create', '--cluster', 'a', '--all-services', '--missing-data', 'zero'),
    ).rejects.toThrow();
    await expect(
      parse('alarm', 'create', '--cluster', 'a', '--all-services', '--threshold', 'x'),
    ).rejects.toThrow();
  });

  it('alarm list / delete / prune and dashboard create', async () => {
    await parse('alarm', 'list', '--cluster', 'prod', '--name-prefix', 'p');
    await parse('alarm', 'delete', '--cluster', 'prod', '--service', 'web', '--yes');
    await parse('alarm', 'delete', '--name', 'n1,n2', '--name-prefix', 'p', '--yes');
    await parse('alarm', 'prune', '--dry-run');
    await parse('dashboard', 'create', '--cluster', 'a,b', '--name', 'ops', '--yes');
    expect(calls.list).toEqual([{ clusters: ['prod'], namePrefix: 'p', check: false }]);
    expect(calls.delete).toEqual([
      {
        selection: { kind: 'services', clusters: ['prod'], services: ['web'] },
        namePrefix: undefined,
        dryRun: false,
        yes: true,
      },
      { selection: { kind: 'names', names: ['n1', 'n2'] }, namePrefix: 'p', dryRun: false, yes: true },
    ]);
    expect(calls.prune).toEqual([{ clusters: [], namePrefix: undefined, dryRun: true, yes: false }]);
    expect(calls.dashboard).toEqual([
      expect.objectContaining({ clusters: ['a', 'b'], name: 'ops', dryRun: false, yes: true }),
    ]);
  });

  it.each([
    [['--cluster', 'prod', '--name', 'n1'], /--name cannot be combined/],
    [['--service', 'web'], /--service needs --cluster/],
    [[], /--cluster \(and optionally --service\) or --name/],
  ])('alarm delete %j is a usage error before any command runs', async (args, message) => {
    await expect(parse('alarm', 'delete', ...args)).rejects.toThrow(message);
    expect(calls.delete).toEqual([]);
  });
});
