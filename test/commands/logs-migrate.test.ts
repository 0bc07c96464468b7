import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeTaskDefinitionCommand, ECSClient, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { toLogsMigrateOptions } from '../../src/cli/groups/logs.js';
import { type LogsMigrateCommandOptions, runLogsMigrate } from '../../src/commands/logs-migrate.js';
import { ExitCode, InputError, InterruptedError, UsageError } from '../../src/errors.js';
import { logsMigrateView } from '../../src/output/logs.js';
import { present } from '../../src/output/present.js';
import { tempDir } from '../helpers/temp-dir.js';
import { createTestContext } from '../helpers/test-context.js';

const ACCOUNT = '123456789012';
const ecs = mockClient(ECSClient);
const ssm = mockClient(SSMClient);
const sts = mockClient(STSClient);
const cwl = mockClient(CloudWatchLogsClient);
const s3 = mockClient(S3Client);

const fixture = JSON.parse(
  readFileSync(join(import.meta.dirname, '../fixtures/logs/fargate-single.json'), 'utf8'),
) as { input: Record<string, unknown> };

function options(over: Partial<LogsMigrateCommandOptions> = {}): LogsMigrateCommandOptions {
  return {
    source: { kind: 'registered', taskDef: 'web' },
    output: { kind: 'stdout' },
    apply: { kind: 'none' },
    keepMetadata: false,
    config: { kind: 'none' },
    dryRun: false,
    yes: true,
    ...over,
  };
}

beforeEach(() => {
  sts.on(GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:user/ci` });
  ecs.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: fixture.input as never, tags: [] });
});
afterEach(() => {
  ecs.reset();
  ssm.reset();
  sts.reset();
  cwl.reset();
  s3.reset();
});

type Td = { containerDefinitions: { name: string; image?: string }[] };

describe('logs migrate: the router image', () => {
  it('pins the version AWS publishes in /aws/service/aws-for-fluent-bit/stable (never the stable tag)', async () => {
    ssm.on(GetParameterCommand, { Name: '/aws/service/aws-for-fluent-bit/stable' }).resolves({
      Parameter: { Value: '906394416424.dkr.ecr.us-east-1.amazonaws.com/aws-for-fluent-bit:2.33.0.20250101' },
    });
    const t = createTestContext();
    const result = await runLogsMigrate(options(), t.ctx);
    expect(result.routerImage).toEqual({
      image: 'public.ecr.aws/aws-observability/aws-for-fluent-bit:2.33.0.20250101',
      source: 'ssm-stable',
      version: '2.33.0.20250101',
    });
    const router = (result.taskDefinition as Td).containerDefinitions.find((c) => c.name === 'log_router');
    expect(router?.image).toBe('public.ecr.aws/aws-observability/aws-for-fluent-bit:2.33.0.20250101');
    expect(t.stderr()).not.toContain('could not read');
  });

  it('falls back to the documented pinned version, with a warning, when the parameter is missing', async () => {
    ssm.on(GetParameterCommand).rejects(Object.assign(new Error('not found'), { name: 'ParameterNotFound' }));
    const t = createTestContext();
    const result = await runLogsMigrate(options(), t.ctx);
    expect(result.routerImage).toMatchObject({ source: 'fallback', version: '2.32.2.20241008' });
    expect(t.stderr()).toContain('could not read /aws/service/aws-for-fluent-bit/stable');
  });

  it('warns when --config-s3 is given a router image without the init tag', async () => {
    s3.on(HeadObjectCommand).rejects(Object.assign(new Error('NotFound'), { name: 'NotFound' }));
    const dir = tempDir('ecsops-logs-unit-');
    const routes = join(dir, 'r.json');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(routes, '[{"container":"web","match":"^AUDIT","firehose":"audit"}]');
    const t = createTestContext();
    const result = await runLogsMigrate(
      options({
        routesFile: routes,
        config: { kind: 's3', uri: 's3://cfg-1/p/' },
        routerImage: 'public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.2.20241008',
        dryRun: true,
      }),
      t.ctx,
    );
    expect(result.status).toBe('migrated');
    expect(result.configObjects).toEqual([
      { uri: 's3://cfg-1/p/web.conf', arn: 'arn:aws:s3:::cfg-1/p/web.conf', upToDate: false },
    ]);
    expect(t.stderr()).toContain('is not an init- tag');
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0); // --dry-run
  });

  it('--router-image must be pinned', async () => {
    const t = createTestContext();
    await expect(
      runLogsMigrate(
        options({ routerImage: 'public.ecr.aws/aws-observability/aws-for-fluent-bit:latest' }),
        t.ctx,
      ),
    ).rejects.toThrow(UsageError);
  });
});

describe('logs migrate: the apply flow', () => {
  beforeEach(() => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: 'x/aws-for-fluent-bit:2.32.2.20241008' } });
  });

  it('--dry-run with --register --skip-check sends no write', async () => {
    const t = createTestContext();
    const result = await runLogsMigrate(
      options({ dryRun: true, apply: { kind: 'register', check: 'skip' } }),
      t.ctx,
    );
    expect(result.apply?.mode).toBe('dry-run');
    expect(ecs.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(0);
  });

  it('declined at the prompt: nothing registered', async () => {
    const t = createTestContext({ interactive: true, answer: false });
    ecs
      .on(DescribeTaskDefinitionCommand, { taskDefinition: 'web' })
      .resolves({ taskDefinition: fixture.input as never, tags: [] });
    await expect(
      runLogsMigrate(options({ yes: false, apply: { kind: 'register', check: 'skip' } }), t.ctx),
    ).rejects.toThrow(InterruptedError);
    expect(ecs.commandCalls(RegisterTaskDefinitionCommand)).toHaveLength(0);
    expect(t.prompts[0]).toContain('register a new revision of web');
  });

  it('a refused container exits 1 and prints nothing on stdout', async () => {
    ecs.on(DescribeTaskDefinitionCommand).resolves({
      taskDefinition: {
        family: 'nb',
        containerDefinitions: [
          {
            name: 'app',
            image: 'x',
            logConfiguration: {
              logDriver: 'awslogs',
              options: { 'awslogs-group': 'g', 'awslogs-region': 'us-east-1', mode: 'non-blocking' },
            },
          },
        ],
      } as never,
    });
    const t = createTestContext();
    const result = await runLogsMigrate(options(), t.ctx);
    expect(present(t.ctx.out, result, logsMigrateView)).toBe(ExitCode.findings);
    expect(t.stdout()).toBe('');
    expect(t.stderr()).toContain('app: mode:');
  });
});

describe('logs migrate: flags and the routes file', () => {
  it('an invalid regex is an input error naming the field, before any AWS call', async () => {
    const dir = tempDir('ecsops-logs-unit-');
    const routes = join(dir, 'r.json');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(routes, '[{"container":"web","match":"a(","logGroup":"g"}]');
    const t = createTestContext();
    await expect(
      runLogsMigrate(options({ routesFile: routes, config: { kind: 's3', uri: 's3://b-1/p/' } }), t.ctx),
    ).rejects.toThrow(InputError);
    expect(sts.commandCalls(GetCallerIdentityCommand)).toHaveLength(0);
  });

  it.each([
    [{ configS3: 's3://b/', configOut: 'x.conf' }, '--config-s3 and --config-out'],
    [{ updateService: true }, '--update-service needs --register'],
    [{ applyFix: true }, '--apply-fix needs --register'],
    [{ inPlace: true }, '--in-place needs --file'],
  ])('usage error: %o', (flags, message) => {
    expect(() =>
      toLogsMigrateOptions({
        taskDef: 'web',
        inPlace: false,
        register: false,
        updateService: false,
        wait: false,
        keepMetadata: false,
        configPath: '/extra.conf',
        skipCheck: false,
        applyFix: false,
        dryRun: false,
        yes: false,
        ...flags,
      }),
    ).toThrow(message);
  });
});

describe('logs migrate: routed destinations', () => {
  it('refuses a route to a log group that does not exist, before uploading anything', async () => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: 'x/aws-for-fluent-bit:2.32.2.20241008' } });
    cwl.on(DescribeLogGroupsCommand).resolves({ logGroups: [{ logGroupName: '/ecs/web/audit-old' }] });
    const dir = tempDir('ecsops-logs-unit-');
    const routes = join(dir, 'r.yaml');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(routes, "- container: web\n  match: '^AUDIT'\n  logGroup: /ecs/web/audit\n");
    const t = createTestContext();
    const result = await runLogsMigrate(
      options({ routesFile: routes, config: { kind: 's3', uri: 's3://cfg-1/p/' } }),
      t.ctx,
    );
    expect(result.status).toBe('refused');
    expect(result.refusals[0]?.reason).toContain('/ecs/web/audit (us-east-1) does not exist');
    expect(s3.commandCalls(HeadObjectCommand)).toHaveLength(0);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });
});

describe('logs migrate --config-out (custom router image, offline)', () => {
  it('writes the generated configuration and points the router at it with config-file-type file', async () => {
    const dir = tempDir('ecsops-logs-unit-');
    const { writeFileSync, readFileSync: read } = await import('node:fs');
    const td = join(dir, 'td.json');
    writeFileSync(td, JSON.stringify(fixture.input, null, 2));
    const routes = join(dir, 'routes.json');
    writeFileSync(routes, JSON.stringify([{ container: 'web', match: '^AUDIT', firehose: 'audit-stream' }]));
    const conf = join(dir, 'extra.conf');
    const t = createTestContext();
    const result = await runLogsMigrate(
      options({
        source: { kind: 'file', path: td },
        routesFile: routes,
        routerImage: '123456789012.dkr.ecr.us-east-1.amazonaws.com/my-fluent-bit:1.0.0',
        config: { kind: 'file', path: conf, imagePath: '/extra.conf' },
      }),
      t.ctx,
    );
    expect(result.status).toBe('migrated');
    expect(sts.commandCalls(GetCallerIdentityCommand)).toHaveLength(0); // offline: nothing needed AWS
    expect(result.configFiles).toEqual([conf]);
    const text = read(conf, 'utf8');
    expect(text).toMatch(/Name\s+kinesis_firehose/);
    expect(text).toMatch(/delivery_stream\s+audit-stream/);
    const router = (
      result.taskDefinition as { containerDefinitions: Record<string, unknown>[] }
    ).containerDefinitions.find((c) => c.name === 'log_router');
    expect(router).toMatchObject({
      image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/my-fluent-bit:1.0.0',
      firelensConfiguration: {
        type: 'fluentbit',
        options: {
          'enable-ecs-log-metadata': 'false',
          'config-file-type': 'file',
          'config-file-value': '/extra.conf',
        },
      },
    });
  });
});
