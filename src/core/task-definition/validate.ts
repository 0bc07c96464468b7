/**
 * Shape check of a RegisterTaskDefinition input before it is sent: every field's JSON type, enum
 * values, required fields and unknown fields, each reported with its JSON path. The SDK serialises
 * by schema and drops unknown keys silently, and ECS answers a wrong type with one terse
 * SerializationException, so ecsops reports every problem itself, up front.
 *
 * The shape is one table, REGISTER_TASK_DEFINITION_SCHEMA, written from the API reference
 * (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html and
 * API_ContainerDefinition.html) and cross-checked against the SDK's own schema in the tests.
 */
import { isJsonObject, type JsonObject, joinPath } from './json.js';

/** One problem: the JSON path of the offending field and what is wrong with it. */
export interface RegisterInputProblem {
  /** e.g. `memory`, `containerDefinitions[1].secrets[0].valueFrom`. */
  path: string;
  /** e.g. `expected a string, got a number`. */
  message: string;
}

/** A documented value form for a string field (task-level `cpu` and `memory`, names). */
export interface StringFormat {
  readonly pattern: RegExp;
  /** What a valid value looks like, for the message. */
  readonly expected: string;
}

/** A node of the schema table: the JSON type of one field, as the API reference documents it. */
export type FieldSchema =
  | { readonly kind: 'string'; readonly values?: readonly string[]; readonly format?: StringFormat }
  | { readonly kind: 'integer' }
  | { readonly kind: 'boolean' }
  | { readonly kind: 'list'; readonly items: FieldSchema; readonly nonEmpty?: boolean }
  /** A JSON object of string values (`dockerLabels`, `options`). */
  | { readonly kind: 'map'; readonly values: FieldSchema }
  | StructureSchema;

/** An API structure: its fields, which of them are required, and (for unions) exactly one set. */
export interface StructureSchema {
  readonly kind: 'structure';
  /** The API shape name (`PortMapping`), used in "not a PortMapping field". */
  readonly name: string;
  readonly fields: Readonly<Record<string, FieldSchema>>;
  readonly required: readonly string[];
  /** A tagged union: exactly one field must be set. */
  readonly union?: boolean;
}

// ---- the schema table ----------------------------------------------------------------------------

const string: FieldSchema = { kind: 'string' };
const integer: FieldSchema = { kind: 'integer' };
const boolean: FieldSchema = { kind: 'boolean' };
const stringMap: FieldSchema = { kind: 'map', values: string };
const oneOf = (...values: string[]): FieldSchema => ({ kind: 'string', values });
const formatted = (format: StringFormat): FieldSchema => ({ kind: 'string', format });
const list = (items: FieldSchema, nonEmpty = false): FieldSchema =>
  nonEmpty ? { kind: 'list', items, nonEmpty } : { kind: 'list', items };
const structure = <F extends Record<string, FieldSchema>>(
  name: string,
  fields: F,
  required: readonly (keyof F & string)[] = [],
): StructureSchema => ({ kind: 'structure', name, fields, required });

// "Up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens are allowed."
const NAME_FORMAT: StringFormat = {
  pattern: /^[A-Za-z0-9_-]{1,255}$/,
  expected: 'up to 255 letters, digits, underscores and hyphens',
};
// Task-level cpu: CPU units as an integer string ("1024") or vCPUs ("1 vCPU", ".25 vcpu").
const TASK_CPU_FORMAT: StringFormat = {
  pattern: /^(?:[1-9]\d*|(?:\d+(?:\.\d+)?|\.\d+) ?vcpu)$/i,
  expected: 'CPU units such as "256" or vCPUs such as "0.25 vCPU"',
};
// Task-level memory: MiB as an integer string ("512") or GB ("1GB", "0.5 GB").
const TASK_MEMORY_FORMAT: StringFormat = {
  pattern: /^(?:[1-9]\d*|(?:\d+(?:\.\d+)?|\.\d+) ?gb)$/i,
  expected: 'MiB such as "512" or GB such as "1 GB"',
};

const keyValuePair = structure('KeyValuePair', { name: string, value: string });
const secret = structure('Secret', { name: string, valueFrom: string }, ['name', 'valueFrom']);

const containerDefinition = structure(
  'ContainerDefinition',
  {
    name: formatted(NAME_FORMAT),
    image: string,
    repositoryCredentials: structure('RepositoryCredentials', { credentialsParameter: string }, [
      'credentialsParameter',
    ]),
    cpu: integer,
    memory: integer,
    memoryReservation: integer,
    links: list(string),
    portMappings: list(
      structure('PortMapping', {
        containerPort: integer,
        hostPort: integer,
        protocol: oneOf('tcp', 'udp'),
        name: string,
        appProtocol: oneOf('http', 'http2', 'grpc'),
        containerPortRange: string,
      }),
    ),
    essential: boolean,
    restartPolicy: structure(
      'ContainerRestartPolicy',
      { enabled: boolean, ignoredExitCodes: list(integer), restartAttemptPeriod: integer },
      ['enabled'],
    ),
    entryPoint: list(string),
    command: list(string),
    environment: list(keyValuePair),
    environmentFiles: list(
      structure('EnvironmentFile', { value: string, type: oneOf('s3') }, ['value', 'type']),
    ),
    mountPoints: list(
      structure('MountPoint', { sourceVolume: string, containerPath: string, readOnly: boolean }),
    ),
    volumesFrom: list(structure('VolumeFrom', { sourceContainer: string, readOnly: boolean })),
    linuxParameters: structure('LinuxParameters', {
      capabilities: structure('KernelCapabilities', { add: list(string), drop: list(string) }),
      devices: list(
        structure(
          'Device',
          { hostPath: string, containerPath: string, permissions: list(oneOf('read', 'write', 'mknod')) },
          ['hostPath'],
        ),
      ),
      initProcessEnabled: boolean,
      sharedMemorySize: integer,
      tmpfs: list(
        structure('Tmpfs', { containerPath: string, size: integer, mountOptions: list(string) }, [
          'containerPath',
          'size',
        ]),
      ),
      maxSwap: integer,
      swappiness: integer,
    }),
    secrets: list(secret),
    dependsOn: list(
      structure(
        'ContainerDependency',
        { containerName: string, condition: oneOf('START', 'COMPLETE', 'SUCCESS', 'HEALTHY') },
        ['containerName', 'condition'],
      ),
    ),
    startTimeout: integer,
    stopTimeout: integer,
    versionConsistency: oneOf('enabled', 'disabled'),
    hostname: string,
    user: string,
    workingDirectory: string,
    disableNetworking: boolean,
    privileged: boolean,
    readonlyRootFilesystem: boolean,
    dnsServers: list(string),
    dnsSearchDomains: list(string),
    extraHosts: list(
      structure('HostEntry', { hostname: string, ipAddress: string }, ['hostname', 'ipAddress']),
    ),
    dockerSecurityOptions: list(string),
    interactive: boolean,
    pseudoTerminal: boolean,
    dockerLabels: stringMap,
    ulimits: list(
      structure(
        'Ulimit',
        {
          name: oneOf(
            'core',
            'cpu',
            'data',
            'fsize',
            'locks',
            'memlock',
            'msgqueue',
            'nice',
            'nofile',
            'nproc',
            'rss',
            'rtprio',
            'rttime',
            'sigpending',
            'stack',
          ),
          softLimit: integer,
          hardLimit: integer,
        },
        ['name', 'softLimit', 'hardLimit'],
      ),
    ),
    logConfiguration: structure(
      'LogConfiguration',
      {
        logDriver: oneOf(
          'json-file',
          'syslog',
          'journald',
          'gelf',
          'fluentd',
          'awslogs',
          'splunk',
          'awsfirelens',
        ),
        options: stringMap,
        secretOptions: list(secret),
      },
      ['logDriver'],
    ),
    healthCheck: structure(
      'HealthCheck',
      { command: list(string), interval: integer, timeout: integer, retries: integer, startPeriod: integer },
      ['command'],
    ),
    systemControls: list(structure('SystemControl', { namespace: string, value: string })),
    resourceRequirements: list(
      structure(
        'ResourceRequirement',
        {
          // `value` is optional only for a GPU with a sharingStrategy; ECS checks that pairing.
          value: string,
          type: oneOf('GPU', 'InferenceAccelerator', 'NeuronDevice'),
          sharingStrategy: {
            ...structure('SharingStrategy', {
              nvidiaMps: structure('NvidiaMpsAllocation', { memory: integer, maxComputePercent: integer }, [
                'memory',
              ]),
            }),
            union: true,
          },
        },
        ['type'],
      ),
    ),
    firelensConfiguration: structure(
      'FirelensConfiguration',
      { type: oneOf('fluentd', 'fluentbit'), options: stringMap },
      ['type'],
    ),
    credentialSpecs: list(string),
  },
  // Optional in the SDK model, but ECS rejects a container without them.
  ['name', 'image'],
);

const volume = structure('Volume', {
  name: string,
  host: structure('HostVolumeProperties', { sourcePath: string }),
  dockerVolumeConfiguration: structure('DockerVolumeConfiguration', {
    scope: oneOf('task', 'shared'),
    autoprovision: boolean,
    driver: string,
    driverOpts: stringMap,
    labels: stringMap,
  }),
  efsVolumeConfiguration: structure(
    'EFSVolumeConfiguration',
    {
      fileSystemId: string,
      rootDirectory: string,
      transitEncryption: oneOf('ENABLED', 'DISABLED'),
      transitEncryptionPort: integer,
      authorizationConfig: structure('EFSAuthorizationConfig', {
        accessPointId: string,
        iam: oneOf('ENABLED', 'DISABLED'),
      }),
    },
    ['fileSystemId'],
  ),
  s3filesVolumeConfiguration: structure(
    'S3FilesVolumeConfiguration',
    { fileSystemArn: string, rootDirectory: string, transitEncryptionPort: integer, accessPointArn: string },
    ['fileSystemArn'],
  ),
  fsxWindowsFileServerVolumeConfiguration: structure(
    'FSxWindowsFileServerVolumeConfiguration',
    {
      fileSystemId: string,
      rootDirectory: string,
      authorizationConfig: structure(
        'FSxWindowsFileServerAuthorizationConfig',
        { credentialsParameter: string, domain: string },
        ['credentialsParameter', 'domain'],
      ),
    },
    ['fileSystemId', 'rootDirectory', 'authorizationConfig'],
  ),
  configuredAtLaunch: boolean,
});

/** The RegisterTaskDefinition request shape, field by field (API reference; SDK `RegisterTaskDefinitionRequest`). */
export const REGISTER_TASK_DEFINITION_SCHEMA: StructureSchema = structure(
  'RegisterTaskDefinition',
  {
    family: formatted(NAME_FORMAT),
    taskRoleArn: string,
    executionRoleArn: string,
    networkMode: oneOf('bridge', 'host', 'awsvpc', 'none'),
    containerDefinitions: list(containerDefinition, true),
    volumes: list(volume),
    placementConstraints: list(
      structure('TaskDefinitionPlacementConstraint', { type: oneOf('memberOf'), expression: string }),
    ),
    requiresCompatibilities: list(oneOf('EC2', 'FARGATE', 'EXTERNAL', 'MANAGED_INSTANCES')),
    // Strings at task level, unlike the container-level integers.
    cpu: formatted(TASK_CPU_FORMAT),
    memory: formatted(TASK_MEMORY_FORMAT),
    tags: list(structure('Tag', { key: string, value: string })),
    pidMode: oneOf('host', 'task'),
    ipcMode: oneOf('host', 'task', 'none'),
    proxyConfiguration: structure(
      'ProxyConfiguration',
      { type: oneOf('APPMESH'), containerName: string, properties: list(keyValuePair) },
      ['containerName'],
    ),
    inferenceAccelerators: list(
      structure('InferenceAccelerator', { deviceName: string, deviceType: string }, [
        'deviceName',
        'deviceType',
      ]),
    ),
    ephemeralStorage: structure('EphemeralStorage', { sizeInGiB: integer }, ['sizeInGiB']),
    runtimePlatform: structure('RuntimePlatform', {
      cpuArchitecture: oneOf('X86_64', 'ARM64'),
      operatingSystemFamily: oneOf(
        'WINDOWS_SERVER_2019_FULL',
        'WINDOWS_SERVER_2019_CORE',
        'WINDOWS_SERVER_2016_FULL',
        'WINDOWS_SERVER_2004_CORE',
        'WINDOWS_SERVER_2022_CORE',
        'WINDOWS_SERVER_2022_FULL',
        'WINDOWS_SERVER_2025_CORE',
        'WINDOWS_SERVER_2025_FULL',
        'WINDOWS_SERVER_20H2_CORE',
        'LINUX',
      ),
    }),
    enableFaultInjection: boolean,
  },
  ['family', 'containerDefinitions'],
);

// ---- the checker ---------------------------------------------------------------------------------

/** Every problem in a RegisterTaskDefinition input (camelCase register-input shape), in document order. */
export function validateRegisterInput(input: JsonObject): RegisterInputProblem[] {
  const problems: RegisterInputProblem[] = [];
  checkStructure(REGISTER_TASK_DEFINITION_SCHEMA, input, '', problems);
  return problems;
}

/** One paragraph naming every problem, for an error message; empty problems give "no problems". */
export function describeProblems(problems: readonly RegisterInputProblem[]): string {
  if (problems.length === 0) return 'no problems';
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  const items = problems.map((p) => (p.path === '' ? p.message : `${p.path}: ${p.message}`));
  return `The task definition is not a valid RegisterTaskDefinition input (${count}): ${items.join('; ')}.`;
}

function check(schema: FieldSchema, value: unknown, path: string, problems: RegisterInputProblem[]): void {
  const message = mismatch(schema, value);
  if (message !== undefined) {
    problems.push({ path, message });
    return;
  }
  if (schema.kind === 'list' && Array.isArray(value)) {
    value.forEach((item, i) => {
      check(schema.items, item, joinPath(path, i), problems);
    });
  } else if (schema.kind === 'map' && isJsonObject(value)) {
    for (const [key, item] of Object.entries(value))
      check(schema.values, item, fieldPath(path, key), problems);
  } else if (schema.kind === 'structure' && isJsonObject(value)) {
    checkStructure(schema, value, path, problems);
  }
}

// What is wrong with the value itself (its JSON type, enum value or format), before looking inside.
function mismatch(schema: FieldSchema, value: unknown): string | undefined {
  switch (schema.kind) {
    case 'string':
      if (typeof value !== 'string') return `expected a string, got ${describeValue(value)}`;
      if (schema.values !== undefined && !schema.values.includes(value)) {
        return `expected one of ${schema.values.join(', ')}, got ${JSON.stringify(value)}`;
      }
      if (schema.format !== undefined && !schema.format.pattern.test(value)) {
        return `expected ${schema.format.expected}, got ${JSON.stringify(value)}`;
      }
      return undefined;
    case 'integer':
      if (typeof value !== 'number') return `expected an integer, got ${describeValue(value)}`;
      return Number.isInteger(value) ? undefined : `expected an integer, got ${value}`;
    case 'boolean':
      return typeof value === 'boolean' ? undefined : `expected a boolean, got ${describeValue(value)}`;
    case 'list':
      if (!Array.isArray(value)) return `expected an array, got ${describeValue(value)}`;
      return schema.nonEmpty === true && value.length === 0 ? 'expected at least one entry' : undefined;
    case 'map':
    case 'structure':
      return isJsonObject(value) ? undefined : `expected an object, got ${describeValue(value)}`;
  }
}

// A null optional field is absent: the SDK serialiser drops it, as it drops undefined.
function checkStructure(
  schema: StructureSchema,
  value: JsonObject,
  path: string,
  problems: RegisterInputProblem[],
): void {
  for (const field of schema.required) {
    if (value[field] === undefined || value[field] === null) {
      problems.push({ path: fieldPath(path, field), message: 'required field is missing' });
    }
  }
  let set = 0;
  for (const [key, item] of Object.entries(value)) {
    const fieldSchema = Object.hasOwn(schema.fields, key) ? schema.fields[key] : undefined;
    if (fieldSchema === undefined) {
      const near = nearestField(key, Object.keys(schema.fields));
      const hint = near === undefined ? '' : ` (did you mean ${near}?)`;
      problems.push({ path: fieldPath(path, key), message: `not a ${schema.name} field${hint}` });
      continue;
    }
    if (item === undefined || item === null) continue;
    set++;
    check(fieldSchema, item, fieldPath(path, key), problems);
  }
  if (schema.union === true && set !== 1) {
    problems.push({
      path,
      message: `expected exactly one of ${Object.keys(schema.fields).join(', ')}, got ${set}`,
    });
  }
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      return `a string (${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)})`;
    case 'number':
      return `a number (${value})`;
    case 'boolean':
      return `a boolean (${value})`;
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}

// Map keys such as Docker labels (`com.example.team`) are bracketed so the path stays unambiguous.
function fieldPath(base: string, key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? joinPath(base, key) : `${base}[${JSON.stringify(key)}]`;
}

// A known field that differs only in case or by one or two edits (`portMapping`, `Essential`).
function nearestField(key: string, fields: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  const sameCase = fields.find((f) => f.toLowerCase() === lower);
  if (sameCase !== undefined) return sameCase;
  const maxDistance = key.length <= 4 ? 1 : 2;
  let best: { field: string; distance: number } | undefined;
  for (const field of fields) {
    const distance = editDistance(lower, field.toLowerCase());
    if (distance <= maxDistance && (best === undefined || distance < best.distance))
      best = { field, distance };
  }
  return best?.field;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
