import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ecs from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import { createParameterCatalogue } from '../../../src/core/secrets/catalogue.js';
import { type MigrateOptions, planMigration, prepareMigration } from '../../../src/core/secrets/migrate.js';
import type { ParameterMetadata, SecretMetadata } from '../../../src/core/secrets/tools/types.js';
import { isJsonObject, type JsonObject } from '../../../src/core/task-definition/json.js';
import {
  CONTAINER_DEFINITION_FIELDS,
  parseTaskDefinition,
  REGISTER_TASK_DEFINITION_FIELDS,
  readTaskDefinitionDocument,
  taskDefinitionObject,
  toRegisterInput,
} from '../../../src/core/task-definition/parse.js';
import {
  describeProblems,
  type FieldSchema,
  REGISTER_TASK_DEFINITION_SCHEMA,
  type RegisterInputProblem,
  validateRegisterInput,
} from '../../../src/core/task-definition/validate.js';

const container = (fields: JsonObject = {}): JsonObject => ({
  name: 'app',
  image: 'example/app:1',
  ...fields,
});
const input = (fields: JsonObject = {}, containers: JsonObject[] = [container()]): JsonObject => ({
  family: 'app',
  containerDefinitions: containers,
  ...fields,
});
const oneProblem = (path: string, message: string): RegisterInputProblem[] => [{ path, message }];

describe('validateRegisterInput: one bad field, one problem at its path', () => {
  it.each<[string, JsonObject, RegisterInputProblem[]]>([
    // The cases.
    [
      'task memory "lots"',
      input({ memory: 'lots' }),
      oneProblem('memory', 'expected MiB such as "512" or GB such as "1 GB", got "lots"'),
    ],
    [
      'portMappings "80"',
      input({}, [container({ portMappings: '80' })]),
      oneProblem('containerDefinitions[0].portMappings', 'expected an array, got a string ("80")'),
    ],
    ['task cpu {}', input({ cpu: {} }), oneProblem('cpu', 'expected a string, got an object')],
    // Task-level cpu/memory are strings; container-level ones are integers.
    ['task cpu 256', input({ cpu: 256 }), oneProblem('cpu', 'expected a string, got a number (256)')],
    [
      'task cpu "1 CPU"',
      input({ cpu: '1 CPU' }),
      oneProblem('cpu', 'expected CPU units such as "256" or vCPUs such as "0.25 vCPU", got "1 CPU"'),
    ],
    [
      'task memory "256 MiB"',
      input({ memory: '256 MiB' }),
      oneProblem('memory', 'expected MiB such as "512" or GB such as "1 GB", got "256 MiB"'),
    ],
    ['task memory "0"', input({ memory: '0' }), [expect.objectContaining({ path: 'memory' })]],
    [
      'container cpu "256"',
      input({}, [container({ cpu: '256' })]),
      oneProblem('containerDefinitions[0].cpu', 'expected an integer, got a string ("256")'),
    ],
    [
      'container memory 1.5',
      input({}, [container({ memory: 1.5 })]),
      oneProblem('containerDefinitions[0].memory', 'expected an integer, got 1.5'),
    ],
    [
      'secret valueFrom a number, second container',
      input({}, [container(), container({ name: 'b', secrets: [{ name: 'S', valueFrom: 42 }] })]),
      oneProblem('containerDefinitions[1].secrets[0].valueFrom', 'expected a string, got a number (42)'),
    ],
    [
      'secret without valueFrom',
      input({}, [container({ secrets: [{ name: 'S' }] })]),
      oneProblem('containerDefinitions[0].secrets[0].valueFrom', 'required field is missing'),
    ],
    [
      'environment value a number',
      input({}, [container({ environment: [{ name: 'PORT', value: 8080 }] })]),
      oneProblem('containerDefinitions[0].environment[0].value', 'expected a string, got a number (8080)'),
    ],
    [
      'essential "true"',
      input({}, [container({ essential: 'true' })]),
      oneProblem('containerDefinitions[0].essential', 'expected a boolean, got a string ("true")'),
    ],
    [
      'healthCheck.command a string',
      input({}, [container({ healthCheck: { command: 'curl -f localhost' } })]),
      oneProblem(
        'containerDefinitions[0].healthCheck.command',
        'expected an array, got a string ("curl -f localhost")',
      ),
    ],
    [
      'entryPoint entry a number',
      input({}, [container({ entryPoint: ['node', 3] })]),
      oneProblem('containerDefinitions[0].entryPoint[1]', 'expected a string, got a number (3)'),
    ],
    [
      'null inside a list',
      input({}, [container({ portMappings: [null] })]),
      oneProblem('containerDefinitions[0].portMappings[0]', 'expected an object, got null'),
    ],
    [
      'dockerLabels value not a string',
      input({}, [container({ dockerLabels: { 'com.example.port': 80 } })]),
      oneProblem(
        'containerDefinitions[0].dockerLabels["com.example.port"]',
        'expected a string, got a number (80)',
      ),
    ],
    [
      'logConfiguration options an array',
      input({}, [container({ logConfiguration: { logDriver: 'awslogs', options: [] } })]),
      oneProblem('containerDefinitions[0].logConfiguration.options', 'expected an object, got an array'),
    ],
    // Enums.
    [
      'networkMode "vpc"',
      input({ networkMode: 'vpc' }),
      oneProblem('networkMode', 'expected one of bridge, host, awsvpc, none, got "vpc"'),
    ],
    [
      'requiresCompatibilities ["fargate"]',
      input({ requiresCompatibilities: ['fargate'] }),
      oneProblem(
        'requiresCompatibilities[0]',
        'expected one of EC2, FARGATE, EXTERNAL, MANAGED_INSTANCES, got "fargate"',
      ),
    ],
    [
      'ipcMode "shared"',
      input({ ipcMode: 'shared' }),
      oneProblem('ipcMode', 'expected one of host, task, none, got "shared"'),
    ],
    [
      'pidMode "none"',
      input({ pidMode: 'none' }),
      oneProblem('pidMode', 'expected one of host, task, got "none"'),
    ],
    [
      'protocol "http"',
      input({}, [container({ portMappings: [{ containerPort: 80, protocol: 'http' }] })]),
      oneProblem('containerDefinitions[0].portMappings[0].protocol', 'expected one of tcp, udp, got "http"'),
    ],
    [
      'logDriver "cloudwatch"',
      input({}, [container({ logConfiguration: { logDriver: 'cloudwatch' } })]),
      oneProblem(
        'containerDefinitions[0].logConfiguration.logDriver',
        'expected one of json-file, syslog, journald, gelf, fluentd, awslogs, splunk, awsfirelens, got "cloudwatch"',
      ),
    ],
    [
      'dependsOn condition "READY"',
      input({}, [container({ dependsOn: [{ containerName: 'b', condition: 'READY' }] })]),
      oneProblem(
        'containerDefinitions[0].dependsOn[0].condition',
        'expected one of START, COMPLETE, SUCCESS, HEALTHY, got "READY"',
      ),
    ],
    [
      'runtimePlatform cpuArchitecture "arm64"',
      input({ runtimePlatform: { cpuArchitecture: 'arm64' } }),
      oneProblem('runtimePlatform.cpuArchitecture', 'expected one of X86_64, ARM64, got "arm64"'),
    ],
    // Required fields.
    ['no family', { containerDefinitions: [container()] }, oneProblem('family', 'required field is missing')],
    ['family null', input({ family: null }), oneProblem('family', 'required field is missing')],
    [
      'family with a space',
      input({ family: 'my app' }),
      oneProblem('family', 'expected up to 255 letters, digits, underscores and hyphens, got "my app"'),
    ],
    [
      'no containerDefinitions',
      { family: 'app' },
      oneProblem('containerDefinitions', 'required field is missing'),
    ],
    [
      'empty containerDefinitions',
      input({}, []),
      oneProblem('containerDefinitions', 'expected at least one entry'),
    ],
    [
      'container without image',
      input({}, [{ name: 'app' }]),
      oneProblem('containerDefinitions[0].image', 'required field is missing'),
    ],
    [
      'container without name',
      input({}, [{ image: 'x' }]),
      oneProblem('containerDefinitions[0].name', 'required field is missing'),
    ],
    [
      'logConfiguration without logDriver',
      input({}, [container({ logConfiguration: { options: {} } })]),
      oneProblem('containerDefinitions[0].logConfiguration.logDriver', 'required field is missing'),
    ],
    [
      'ulimit without hardLimit',
      input({}, [container({ ulimits: [{ name: 'nofile', softLimit: 1024 }] })]),
      oneProblem('containerDefinitions[0].ulimits[0].hardLimit', 'required field is missing'),
    ],
    [
      'EFS volume without fileSystemId',
      input({ volumes: [{ name: 'data', efsVolumeConfiguration: { rootDirectory: '/' } }] }),
      oneProblem('volumes[0].efsVolumeConfiguration.fileSystemId', 'required field is missing'),
    ],
    [
      'sharingStrategy with no member',
      input({}, [container({ resourceRequirements: [{ type: 'GPU', sharingStrategy: {} }] })]),
      oneProblem(
        'containerDefinitions[0].resourceRequirements[0].sharingStrategy',
        'expected exactly one of nvidiaMps, got 0',
      ),
    ],
    // Unknown fields: the SDK drops them silently, so a typo would vanish from the registered revision.
    [
      'read-only revision',
      input({ revision: 3 }),
      oneProblem('revision', 'not a RegisterTaskDefinition field'),
    ],
    [
      'portMapping typo',
      input({}, [container({ portMapping: [] })]),
      oneProblem(
        'containerDefinitions[0].portMapping',
        'not a ContainerDefinition field (did you mean portMappings?)',
      ),
    ],
    [
      'nested key in the wrong case',
      input({}, [container({ portMappings: [{ ContainerPort: 80 }] })]),
      oneProblem(
        'containerDefinitions[0].portMappings[0].ContainerPort',
        'not a PortMapping field (did you mean containerPort?)',
      ),
    ],
    [
      'prototype key',
      input({}, [container({ healthCheck: JSON.parse('{"command": ["CMD"], "__proto__": 1}') })]),
      oneProblem('containerDefinitions[0].healthCheck.__proto__', 'not a HealthCheck field'),
    ],
  ])('%s', (_name, document, expected) => {
    expect(validateRegisterInput(document)).toEqual(expected);
  });
});

describe('validateRegisterInput: accepted values', () => {
  it.each(['256', '1024', '1 vCPU', '1 vcpu', '.25 vCPU', '0.5 vCPU', '2vCPU'])('task cpu %j', (cpu) => {
    expect(validateRegisterInput(input({ cpu }))).toEqual([]);
  });

  it.each(['512', '30720', '1GB', '1 GB', '0.5 GB', '2 gb'])('task memory %j', (memory) => {
    expect(validateRegisterInput(input({ memory }))).toEqual([]);
  });

  it.each<[string, JsonObject]>([
    [
      'null optional fields (the SDK drops them)',
      input({ cpu: null, volumes: null }, [container({ portMappings: null })]),
    ],
    ['empty optional lists', input({ volumes: [], placementConstraints: [], tags: [] })],
    ['a nested null', input({}, [container({ portMappings: [{ containerPort: 80, hostPort: null }] })])],
    [
      'a GPU sharing strategy without value',
      input({}, [
        container({ resourceRequirements: [{ type: 'GPU', sharingStrategy: { nvidiaMps: { memory: 4 } } }] }),
      ]),
    ],
  ])('%s', (_name, document) => {
    expect(validateRegisterInput(document)).toEqual([]);
  });

  it('reports every problem, in document order', () => {
    const problems = validateRegisterInput({
      memory: 'lots',
      cpu: {},
      containerDefinitions: [container({ portMappings: '80' }), { name: 'b', essential: 1 }],
    });
    expect(problems.map((p) => p.path)).toEqual([
      'family',
      'memory',
      'cpu',
      'containerDefinitions[0].portMappings',
      'containerDefinitions[1].image',
      'containerDefinitions[1].essential',
    ]);
  });
});

describe('describeProblems', () => {
  it('names every problem with its path in one paragraph', () => {
    const text = describeProblems(validateRegisterInput(input({ memory: 'lots', cpu: {} })));
    expect(text).toBe(
      'The task definition is not a valid RegisterTaskDefinition input (2 problems): ' +
        'memory: expected MiB such as "512" or GB such as "1 GB", got "lots"; cpu: expected a string, got an object.',
    );
    expect(text).not.toContain('\n');
  });

  it.each<[RegisterInputProblem[], string]>([
    [[], 'no problems'],
    [
      [{ path: 'family', message: 'required field is missing' }],
      'The task definition is not a valid RegisterTaskDefinition input (1 problem): family: required field is missing.',
    ],
  ])('%j', (problems, expected) => {
    expect(describeProblems(problems)).toBe(expected);
  });
});

// ---- known-good documents ------------------------------------------------------------------------

interface MigrateFixture {
  options: Partial<MigrateOptions>;
  parameters: ParameterMetadata[];
  secrets: SecretMetadata[];
  input: unknown;
  expected: { status: string; document?: unknown; registerInput?: unknown };
}

const fixtureDir = join(import.meta.dirname, '../../fixtures/migrate');
const fixtures = readdirSync(fixtureDir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => [f, JSON.parse(readFileSync(join(fixtureDir, f), 'utf8')) as MigrateFixture] as const);

// Every register-input-shaped output a fixture records or the migration produces from it.
const registerInputs = fixtures.flatMap(([name, f]) => {
  const found: [string, JsonObject][] = [];
  if (isJsonObject(f.expected.registerInput))
    found.push([`${name} expected.registerInput`, f.expected.registerInput]);
  const expectedDoc = f.expected.document;
  if (isJsonObject(expectedDoc) && readTaskDefinitionDocument(expectedDoc, name).shape === 'register-input') {
    found.push([`${name} expected.document`, expectedDoc]);
  }
  if (f.expected.status === 'migrated') {
    const prep = prepareMigration(readTaskDefinitionDocument(f.input, name), {
      valueFrom: 'arn',
      region: 'eu-west-1',
      accountId: '123456789012',
      ...f.options,
    });
    const result = planMigration(prep, createParameterCatalogue(f.parameters, f.secrets));
    if (result.registerInput !== undefined)
      found.push([`${name} planned registerInput`, result.registerInput]);
  }
  return found;
});

describe('validateRegisterInput: known-good documents validate clean', () => {
  it('finds register inputs in the migrate fixtures', () => {
    expect(registerInputs.length).toBeGreaterThan(20);
  });

  it.each(registerInputs)('%s', (_name, document) => {
    expect(validateRegisterInput(document)).toEqual([]);
  });

  it('a described task definition once toRegisterInput strips it', () => {
    const text = readFileSync(
      join(import.meta.dirname, '../../fixtures/task-definition/describe-wrapped.json'),
      'utf8',
    );
    const parsed = parseTaskDefinition(text, 'describe-wrapped.json');
    const td = taskDefinitionObject(parsed.document, parsed.shape) as JsonObject;
    expect(validateRegisterInput(toRegisterInput(td, parsed.tags))).toEqual([]);
  });

  it('a big realistic task definition', () => {
    expect(validateRegisterInput(REALISTIC)).toEqual([]);
  });
});

// ---- the table against the SDK's own schema ------------------------------------------------------

// A comparable outline of a shape: JSON kinds, field names, required fields. Enum values are checked below.
type Outline = string | { list: Outline } | { map: Outline } | StructureOutline;
interface StructureOutline {
  structure: string;
  union: boolean;
  fields: Record<string, Outline>;
  required: string[];
}

// The SDK's static schemas (@smithy/types StaticSchema): a number for simple types (0 string,
// 1 number, 2 boolean, | 64 list of, | 128 map of), or [kind, namespace, name, traits, ...] arrays
// (1 list, 2 map, 3 structure, 4 union), lazily referenced through functions; members with traits
// are [schema, traits].
function sdkOutline(schema: unknown): Outline {
  if (typeof schema === 'function') return sdkOutline(schema());
  if (typeof schema === 'number') {
    if (schema & 64) return { list: sdkOutline(schema & 63) };
    if (schema & 128) return { map: sdkOutline(schema & 63) };
    return (
      ({ 0: 'string', 1: 'number', 2: 'boolean' } as Record<number, string>)[schema] ?? `simple ${schema}`
    );
  }
  if (!Array.isArray(schema)) throw new Error(`unexpected SDK schema ${String(schema)}`);
  if (typeof schema[0] !== 'number') return sdkOutline(schema[0]);
  const [kind, , name] = schema as [number, string, string];
  if (kind === 0) return sdkOutline(schema[4]);
  if (kind === 1) return { list: sdkOutline(schema[4]) };
  if (kind === 2) return { map: sdkOutline(schema[5]) };
  const names = schema[4] as string[];
  const members = schema[5] as unknown[];
  const fields = Object.fromEntries(names.map((n, i) => [n, sdkOutline(members[i])]));
  return {
    structure: name,
    union: kind === 4,
    fields,
    required: names.slice(0, Number(schema[6] ?? 0)).sort(),
  };
}

// Required by ECS though optional in the SDK model.
const EXTRA_REQUIRED: Record<string, string[]> = { ContainerDefinition: ['name', 'image'] };

function localOutline(schema: FieldSchema): Outline {
  switch (schema.kind) {
    case 'string':
    case 'boolean':
      return schema.kind;
    case 'integer':
      return 'number';
    case 'list':
      return { list: localOutline(schema.items) };
    case 'map':
      return { map: localOutline(schema.values) };
    case 'structure': {
      const extra = EXTRA_REQUIRED[schema.name] ?? [];
      return {
        structure: schema.name === 'RegisterTaskDefinition' ? 'RegisterTaskDefinitionRequest' : schema.name,
        union: schema.union === true,
        fields: Object.fromEntries(Object.entries(schema.fields).map(([k, v]) => [k, localOutline(v)])),
        required: schema.required.filter((f) => !extra.includes(f)).sort(),
      };
    }
  }
}

function schemaAt(path: string): FieldSchema {
  let node: FieldSchema = REGISTER_TASK_DEFINITION_SCHEMA;
  for (const part of path.split('.')) {
    while (node.kind === 'list') node = node.items;
    if (node.kind !== 'structure') throw new Error(`${path}: ${part} is not in a structure`);
    const next: FieldSchema | undefined = node.fields[part];
    if (next === undefined) throw new Error(`${path}: no ${part}`);
    node = next;
  }
  while (node.kind === 'list') node = node.items;
  return node;
}

describe('REGISTER_TASK_DEFINITION_SCHEMA matches the SDK model', () => {
  it('has the same structures, fields, JSON kinds and required fields', () => {
    expect(localOutline(REGISTER_TASK_DEFINITION_SCHEMA)).toEqual(
      sdkOutline(ecs.RegisterTaskDefinitionRequest$),
    );
  });

  it('agrees with the allow-lists in parse.ts', () => {
    expect(Object.keys(REGISTER_TASK_DEFINITION_SCHEMA.fields).sort()).toEqual(
      [...REGISTER_TASK_DEFINITION_FIELDS].sort(),
    );
    expect(Object.keys((schemaAt('containerDefinitions') as { fields: object }).fields).sort()).toEqual(
      [...CONTAINER_DEFINITION_FIELDS].sort(),
    );
  });

  it.each<[string, Record<string, string>]>([
    ['networkMode', ecs.NetworkMode],
    ['requiresCompatibilities', ecs.Compatibility],
    ['pidMode', ecs.PidMode],
    ['ipcMode', ecs.IpcMode],
    ['placementConstraints.type', ecs.TaskDefinitionPlacementConstraintType],
    ['proxyConfiguration.type', ecs.ProxyConfigurationType],
    ['runtimePlatform.cpuArchitecture', ecs.CPUArchitecture],
    ['runtimePlatform.operatingSystemFamily', ecs.OSFamily],
    ['volumes.dockerVolumeConfiguration.scope', ecs.Scope],
    ['volumes.efsVolumeConfiguration.transitEncryption', ecs.EFSTransitEncryption],
    ['volumes.efsVolumeConfiguration.authorizationConfig.iam', ecs.EFSAuthorizationConfigIAM],
    ['containerDefinitions.portMappings.protocol', ecs.TransportProtocol],
    ['containerDefinitions.portMappings.appProtocol', ecs.ApplicationProtocol],
    ['containerDefinitions.environmentFiles.type', ecs.EnvironmentFileType],
    ['containerDefinitions.linuxParameters.devices.permissions', ecs.DeviceCgroupPermission],
    ['containerDefinitions.dependsOn.condition', ecs.ContainerCondition],
    ['containerDefinitions.versionConsistency', ecs.VersionConsistency],
    ['containerDefinitions.ulimits.name', ecs.UlimitName],
    ['containerDefinitions.logConfiguration.logDriver', ecs.LogDriver],
    ['containerDefinitions.resourceRequirements.type', ecs.ResourceType],
    ['containerDefinitions.firelensConfiguration.type', ecs.FirelensConfigurationType],
  ])('enum %s', (path, sdkEnum) => {
    const node = schemaAt(path);
    expect(node.kind === 'string' ? [...(node.values ?? [])].sort() : node).toEqual(
      Object.values(sdkEnum).sort(),
    );
  });
});

// A Fargate web service with an Envoy sidecar, FireLens logging, EFS and most container options.
const REALISTIC: JsonObject = {
  family: 'checkout-web',
  taskRoleArn: 'arn:aws:iam::123456789012:role/checkout-task',
  executionRoleArn: 'arn:aws:iam::123456789012:role/checkout-exec',
  networkMode: 'awsvpc',
  requiresCompatibilities: ['FARGATE', 'EC2'],
  cpu: '1 vCPU',
  memory: '2 GB',
  pidMode: 'task',
  ipcMode: 'none',
  runtimePlatform: { cpuArchitecture: 'ARM64', operatingSystemFamily: 'LINUX' },
  ephemeralStorage: { sizeInGiB: 30 },
  enableFaultInjection: false,
  proxyConfiguration: {
    type: 'APPMESH',
    containerName: 'envoy',
    properties: [
      { name: 'IgnoredUID', value: '1337' },
      { name: 'ProxyIngressPort', value: '15000' },
      { name: 'ProxyEgressPort', value: '15001' },
      { name: 'AppPorts', value: '8080' },
      { name: 'EgressIgnoredIPs', value: '169.254.170.2,169.254.169.254' },
    ],
  },
  placementConstraints: [{ type: 'memberOf', expression: 'attribute:ecs.availability-zone in [eu-west-1a]' }],
  inferenceAccelerators: [{ deviceName: 'device1', deviceType: 'eia2.medium' }],
  volumes: [
    {
      name: 'shared-data',
      efsVolumeConfiguration: {
        fileSystemId: 'fs-0123456789abcdef0',
        rootDirectory: '/',
        transitEncryption: 'ENABLED',
        transitEncryptionPort: 2999,
        authorizationConfig: { accessPointId: 'fsap-0123456789abcdef0', iam: 'ENABLED' },
      },
    },
    { name: 'scratch', host: { sourcePath: '/ecs/scratch' } },
    {
      name: 'plugin',
      dockerVolumeConfiguration: {
        scope: 'shared',
        autoprovision: true,
        driver: 'rexray/ebs',
        driverOpts: { volumetype: 'gp3' },
        labels: { team: 'checkout' },
      },
    },
    {
      name: 'windows-share',
      fsxWindowsFileServerVolumeConfiguration: {
        fileSystemId: 'fs-0fedcba9876543210',
        rootDirectory: 'share',
        authorizationConfig: {
          credentialsParameter: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:fsx-AbCdEf',
          domain: 'corp.example.com',
        },
      },
    },
    { name: 'late', configuredAtLaunch: true },
  ],
  containerDefinitions: [
    {
      name: 'web',
      image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/checkout-web:2024.06.1',
      repositoryCredentials: {
        credentialsParameter: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:registry-AbCdEf',
      },
      cpu: 768,
      memory: 1536,
      memoryReservation: 1024,
      essential: true,
      portMappings: [
        { name: 'http', containerPort: 8080, hostPort: 8080, protocol: 'tcp', appProtocol: 'http' },
        { containerPortRange: '9000-9099', protocol: 'udp' },
      ],
      restartPolicy: { enabled: true, ignoredExitCodes: [0, 143], restartAttemptPeriod: 300 },
      entryPoint: ['/usr/local/bin/docker-entrypoint.sh'],
      command: ['node', 'server.js', '--port', '8080'],
      environment: [
        { name: 'NODE_ENV', value: 'production' },
        { name: 'PORT', value: '8080' },
        { name: 'EMPTY' },
      ],
      environmentFiles: [{ value: 'arn:aws:s3:::checkout-config/web.env', type: 's3' }],
      secrets: [
        {
          name: 'DB_PASSWORD',
          valueFrom: 'arn:aws:ssm:eu-west-1:123456789012:parameter/checkout/db-password',
        },
        {
          name: 'STRIPE_KEY',
          valueFrom: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:checkout/stripe-AbCdEf:key::',
        },
      ],
      mountPoints: [{ sourceVolume: 'shared-data', containerPath: '/data', readOnly: false }],
      volumesFrom: [{ sourceContainer: 'envoy', readOnly: true }],
      dependsOn: [
        { containerName: 'envoy', condition: 'HEALTHY' },
        { containerName: 'migrate', condition: 'SUCCESS' },
      ],
      startTimeout: 120,
      stopTimeout: 30,
      versionConsistency: 'enabled',
      user: '1000:1000',
      workingDirectory: '/app',
      readonlyRootFilesystem: true,
      privileged: false,
      disableNetworking: false,
      interactive: false,
      pseudoTerminal: false,
      dnsServers: ['10.0.0.2'],
      dnsSearchDomains: ['svc.cluster.local'],
      extraHosts: [{ hostname: 'metadata.local', ipAddress: '169.254.169.254' }],
      dockerSecurityOptions: ['no-new-privileges'],
      dockerLabels: { 'com.example.team': 'checkout', 'com.datadoghq.ad.check_names': '["web"]' },
      ulimits: [{ name: 'nofile', softLimit: 65536, hardLimit: 65536 }],
      linuxParameters: {
        capabilities: { add: ['NET_BIND_SERVICE'], drop: ['ALL'] },
        devices: [{ hostPath: '/dev/fuse', containerPath: '/dev/fuse', permissions: ['read', 'write'] }],
        initProcessEnabled: true,
        sharedMemorySize: 64,
        tmpfs: [{ containerPath: '/tmp', size: 128, mountOptions: ['rw', 'noexec'] }],
        maxSwap: 0,
        swappiness: 0,
      },
      healthCheck: {
        command: ['CMD-SHELL', 'curl -fsS http://localhost:8080/health || exit 1'],
        interval: 30,
        timeout: 5,
        retries: 3,
        startPeriod: 60,
      },
      systemControls: [{ namespace: 'net.core.somaxconn', value: '1024' }],
      resourceRequirements: [
        { type: 'GPU', value: '1' },
        { type: 'InferenceAccelerator', value: 'device1' },
      ],
      credentialSpecs: ['credentialspecdomainless:arn:aws:ssm:eu-west-1:123456789012:parameter/gmsa'],
      logConfiguration: {
        logDriver: 'awsfirelens',
        options: { Name: 'datadog', Host: 'http-intake.logs.datadoghq.eu', TLS: 'on' },
        secretOptions: [
          { name: 'apikey', valueFrom: 'arn:aws:ssm:eu-west-1:123456789012:parameter/datadog/api-key' },
        ],
      },
    },
    {
      name: 'envoy',
      image: 'public.ecr.aws/appmesh/aws-appmesh-envoy:v1.29.6.0-prod',
      essential: true,
      cpu: 128,
      memoryReservation: 256,
      user: '1337',
      environment: [
        {
          name: 'APPMESH_RESOURCE_ARN',
          value: 'arn:aws:appmesh:eu-west-1:123456789012:mesh/m/virtualNode/web',
        },
      ],
      healthCheck: {
        command: ['CMD-SHELL', 'curl -s http://localhost:9901/server_info | grep state | grep -q LIVE'],
        interval: 5,
        timeout: 2,
        retries: 3,
        startPeriod: 10,
      },
      logConfiguration: {
        logDriver: 'awslogs',
        options: {
          'awslogs-group': '/ecs/checkout',
          'awslogs-region': 'eu-west-1',
          'awslogs-stream-prefix': 'envoy',
        },
      },
    },
    {
      name: 'log_router',
      image: 'public.ecr.aws/aws-observability/aws-for-fluent-bit:stable',
      essential: true,
      memoryReservation: 50,
      firelensConfiguration: { type: 'fluentbit', options: { 'enable-ecs-log-metadata': 'true' } },
      logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/firelens' } },
    },
    {
      name: 'migrate',
      image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/checkout-web:2024.06.1',
      essential: false,
      command: ['node', 'migrate.js'],
      links: [],
      hostname: 'migrate',
      secrets: [{ name: 'DB_PASSWORD', valueFrom: '/checkout/db-password' }],
    },
  ],
  tags: [
    { key: 'team', value: 'checkout' },
    { key: 'ecsops:secrets-source', value: 'chamber' },
  ],
};
