/**
 * Parse a task-definition JSON file in any of the shapes people keep in git, validate the fields
 * ecsops reads, and expose a normalised read view. Shared by `secrets migrate` and `secrets check`:
 * the exported names are a stable API.
 */
import { InputError } from '../../errors.js';
import { getField, isJsonObject, type JsonObject, joinPath, lineColumn } from './json.js';

/**
 * Which document shape the input had:
 * - `register-input`: RegisterTaskDefinition input (`aws ecs register-task-definition --cli-input-json`);
 * - `describe-output`: a task definition as DescribeTaskDefinition returns it, without the wrapper;
 * - `describe-wrapped`: the full DescribeTaskDefinition response `{ taskDefinition, tags }`;
 * - `container-definitions`: a bare `containerDefinitions` array (Terraform `container_definitions`).
 */
export type TaskDefinitionShape =
  | 'register-input'
  | 'describe-output'
  | 'describe-wrapped'
  | 'container-definitions';

/** One `environment` entry. */
export interface EnvironmentEntry {
  name: string;
  value: string;
}

/** One `secrets` or `secretOptions` entry. */
export interface SecretEntry {
  name: string;
  valueFrom: string;
}

/** A task-definition tag. */
export interface TaskDefinitionTag {
  key: string;
  value: string;
}

/** The fields of one container that secrets commands read, validated. */
export interface ContainerView {
  /** Position in `containerDefinitions`. */
  index: number;
  /** JSON path of the container object in the input document (e.g. `taskDefinition.containerDefinitions[1]`). */
  path: string;
  name: string;
  image: string | undefined;
  entryPoint: string[] | undefined;
  command: string[] | undefined;
  environment: EnvironmentEntry[];
  secrets: SecretEntry[];
  /** `logConfiguration.secretOptions`. */
  logSecretOptions: SecretEntry[];
  /** `repositoryCredentials.credentialsParameter`. */
  credentialsParameter: string | undefined;
}

/** Normalised read view of a task definition. Absent fields are undefined (bare arrays have none). */
export interface TaskDefinitionView {
  family: string | undefined;
  executionRoleArn: string | undefined;
  taskRoleArn: string | undefined;
  containers: ContainerView[];
}

/** A parsed task-definition document: the original JSON (never mutated), its shape and the read view. */
export interface ParsedTaskDefinition {
  fileName: string;
  shape: TaskDefinitionShape;
  document: unknown;
  /** JSON path of the task-definition object inside `document` ('' at the root, `taskDefinition` when wrapped). */
  rootPath: string;
  /** Tags from the `{ taskDefinition, tags }` wrapper or a register input's `tags`. */
  tags: TaskDefinitionTag[];
  view: TaskDefinitionView;
}

/** Fields DescribeTaskDefinition returns that RegisterTaskDefinition rejects (docs/aws-facts.md §4.5). */
export const READ_ONLY_TASK_DEFINITION_FIELDS = [
  'taskDefinitionArn',
  'revision',
  'status',
  'requiresAttributes',
  'compatibilities',
  'registeredAt',
  'registeredBy',
  'deregisteredAt',
] as const;

/** Every RegisterTaskDefinition input field (SDK `RegisterTaskDefinitionRequest`), the strip-by-allow-list source. */
export const REGISTER_TASK_DEFINITION_FIELDS = [
  'family',
  'taskRoleArn',
  'executionRoleArn',
  'networkMode',
  'containerDefinitions',
  'volumes',
  'placementConstraints',
  'requiresCompatibilities',
  'cpu',
  'memory',
  'tags',
  'pidMode',
  'ipcMode',
  'proxyConfiguration',
  'inferenceAccelerators',
  'ephemeralStorage',
  'runtimePlatform',
  'enableFaultInjection',
] as const;

/** A RegisterTaskDefinition input field name. */
export type RegisterTaskDefinitionField = (typeof REGISTER_TASK_DEFINITION_FIELDS)[number];

/** Every SDK `ContainerDefinition` field, used to restore canonical key spelling before an API call. */
export const CONTAINER_DEFINITION_FIELDS = [
  'name',
  'image',
  'repositoryCredentials',
  'cpu',
  'memory',
  'memoryReservation',
  'links',
  'portMappings',
  'essential',
  'restartPolicy',
  'entryPoint',
  'command',
  'environment',
  'environmentFiles',
  'mountPoints',
  'volumesFrom',
  'linuxParameters',
  'secrets',
  'dependsOn',
  'startTimeout',
  'stopTimeout',
  'versionConsistency',
  'hostname',
  'user',
  'workingDirectory',
  'disableNetworking',
  'privileged',
  'readonlyRootFilesystem',
  'dnsServers',
  'dnsSearchDomains',
  'extraHosts',
  'dockerSecurityOptions',
  'interactive',
  'pseudoTerminal',
  'dockerLabels',
  'ulimits',
  'logConfiguration',
  'healthCheck',
  'systemControls',
  'resourceRequirements',
  'firelensConfiguration',
  'credentialSpecs',
] as const;

/** Parses task-definition JSON text; throws InputError with line/column or the JSON path of a bad field. */
export function parseTaskDefinition(text: string, fileName: string): ParsedTaskDefinition {
  // Editors on Windows save UTF-8 with a byte-order mark, which JSON.parse rejects as a bad token.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const pos = /position (\d+)/.exec(message);
    const where = pos ? lineColumn(text, Number(pos[1])) : undefined;
    const at = where ? `:${where.line}:${where.column}` : '';
    throw new InputError(`${fileName}${at}: malformed JSON: ${message}`, {
      hint: 'The file must be a task definition, a DescribeTaskDefinition response or a containerDefinitions array.',
    });
  }
  return readTaskDefinitionDocument(document, fileName);
}

/** Validates an already-parsed document (any accepted shape) and builds the read view. */
export function readTaskDefinitionDocument(document: unknown, fileName: string): ParsedTaskDefinition {
  if (Array.isArray(document)) {
    return {
      fileName,
      shape: 'container-definitions',
      document,
      rootPath: '',
      tags: [],
      view: {
        family: undefined,
        executionRoleArn: undefined,
        taskRoleArn: undefined,
        containers: readContainers(document, ''),
      },
    };
  }
  if (!isJsonObject(document)) {
    throw new InputError(`${fileName}: expected a task definition object or a containerDefinitions array`, {
      path: '$',
    });
  }
  const wrapped = getField(document, 'taskDefinition');
  if (wrapped !== undefined) {
    if (!isJsonObject(wrapped.value)) {
      throw new InputError(`${fileName}: taskDefinition must be an object`, { path: wrapped.key });
    }
    const tagsField = getField(document, 'tags');
    const tags = tagsField === undefined ? [] : readTags(tagsField.value, tagsField.key);
    return {
      fileName,
      shape: 'describe-wrapped',
      document,
      rootPath: wrapped.key,
      tags,
      view: readTaskDefinitionObject(wrapped.value, wrapped.key, fileName),
    };
  }
  const isDescribe = READ_ONLY_TASK_DEFINITION_FIELDS.some((f) => getField(document, f) !== undefined);
  const tagsField = getField(document, 'tags');
  return {
    fileName,
    shape: isDescribe ? 'describe-output' : 'register-input',
    document,
    rootPath: '',
    tags: tagsField === undefined ? [] : readTags(tagsField.value, tagsField.key),
    view: readTaskDefinitionObject(document, '', fileName),
  };
}

/** The task-definition object inside a parsed document (undefined for a bare containerDefinitions array). */
export function taskDefinitionObject(document: unknown, shape: TaskDefinitionShape): JsonObject | undefined {
  if (shape === 'container-definitions' || !isJsonObject(document)) return undefined;
  if (shape === 'describe-wrapped') {
    const inner = getField(document, 'taskDefinition')?.value;
    return isJsonObject(inner) ? inner : undefined;
  }
  return document;
}

/** The containerDefinitions array inside a parsed document. */
export function containerDefinitionsArray(document: unknown, shape: TaskDefinitionShape): unknown[] {
  if (shape === 'container-definitions') return Array.isArray(document) ? document : [];
  const td = taskDefinitionObject(document, shape);
  const list = td === undefined ? undefined : getField(td, 'containerDefinitions')?.value;
  return Array.isArray(list) ? list : [];
}

/**
 * RegisterTaskDefinition input from a described task definition: keeps only allow-listed fields (so
 * `ipcMode`, `pidMode`, `runtimePlatform`… survive and read-only fields go), restores canonical key
 * spelling, and moves in `tags`, omitted when empty (docs/aws-facts.md §4.5).
 */
export function toRegisterInput(describeOutput: JsonObject, tags: readonly TaskDefinitionTag[]): JsonObject {
  const input: JsonObject = {};
  for (const field of REGISTER_TASK_DEFINITION_FIELDS) {
    if (field === 'tags') continue;
    const found = getField(describeOutput, field);
    if (found === undefined || found.value === undefined || found.value === null) continue;
    input[field] =
      field === 'containerDefinitions' && Array.isArray(found.value)
        ? found.value.map(canonicalContainer)
        : found.value;
  }
  if (tags.length > 0) input.tags = tags.map((t) => ({ key: t.key, value: t.value }));
  return input;
}

// The SDK serialises by schema and silently drops unknown keys, so `entrypoint` must become `entryPoint`.
function canonicalContainer(container: unknown): unknown {
  if (!isJsonObject(container)) return container;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(container)) {
    const canonical = CONTAINER_DEFINITION_FIELDS.find((f) => f.toLowerCase() === key.toLowerCase()) ?? key;
    out[canonical] =
      canonical === 'environment' || canonical === 'secrets' ? canonicalPairs(value) : (value as unknown);
  }
  return out;
}

function canonicalPairs(list: unknown): unknown {
  if (!Array.isArray(list)) return list;
  return list.map((entry) => {
    if (!isJsonObject(entry)) return entry;
    const out: JsonObject = {};
    for (const [key, value] of Object.entries(entry)) {
      const canonical =
        ['name', 'value', 'valueFrom'].find((f) => f.toLowerCase() === key.toLowerCase()) ?? key;
      out[canonical] = value;
    }
    return out;
  });
}

function readTaskDefinitionObject(obj: JsonObject, base: string, fileName: string): TaskDefinitionView {
  const containers = getField(obj, 'containerDefinitions');
  if (containers === undefined) {
    throw new InputError(`${fileName}: no containerDefinitions`, {
      path: joinPath(base, 'containerDefinitions'),
    });
  }
  const containersPath = joinPath(base, containers.key);
  if (!Array.isArray(containers.value)) {
    throw new InputError(`${fileName}: containerDefinitions must be an array`, { path: containersPath });
  }
  return {
    family: optionalString(obj, 'family', base),
    executionRoleArn: optionalString(obj, 'executionRoleArn', base),
    taskRoleArn: optionalString(obj, 'taskRoleArn', base),
    containers: readContainers(containers.value, containersPath),
  };
}

function readContainers(list: unknown[], base: string): ContainerView[] {
  return list.map((c, index) => {
    const path = joinPath(base, index);
    if (!isJsonObject(c)) throw new InputError('container definition must be an object', { path });
    const name = optionalString(c, 'name', path);
    if (name === undefined)
      throw new InputError('container definition has no name', { path: joinPath(path, 'name') });
    const log = getField(c, 'logConfiguration');
    let logSecretOptions: SecretEntry[] = [];
    if (log !== undefined && log.value !== null) {
      const logPath = joinPath(path, log.key);
      if (!isJsonObject(log.value))
        throw new InputError('logConfiguration must be an object', { path: logPath });
      logSecretOptions = readPairs(log.value, 'secretOptions', 'valueFrom', logPath);
    }
    const creds = getField(c, 'repositoryCredentials');
    let credentialsParameter: string | undefined;
    if (creds !== undefined && creds.value !== null) {
      const credsPath = joinPath(path, creds.key);
      if (!isJsonObject(creds.value)) {
        throw new InputError('repositoryCredentials must be an object', { path: credsPath });
      }
      credentialsParameter = optionalString(creds.value, 'credentialsParameter', credsPath);
    }
    return {
      index,
      path,
      name,
      image: optionalString(c, 'image', path),
      entryPoint: optionalStringArray(c, 'entryPoint', path),
      command: optionalStringArray(c, 'command', path),
      environment: readPairs(c, 'environment', 'value', path, true).map((p) => ({
        name: p.name,
        value: p.valueFrom,
      })),
      secrets: readPairs(c, 'secrets', 'valueFrom', path),
      logSecretOptions,
      credentialsParameter,
    };
  });
}

function optionalString(obj: JsonObject, field: string, base: string): string | undefined {
  const found = getField(obj, field);
  if (found === undefined || found.value === null) return undefined;
  if (typeof found.value !== 'string') {
    throw new InputError(`${field} must be a string`, { path: joinPath(base, found.key) });
  }
  return found.value;
}

function optionalStringArray(obj: JsonObject, field: string, base: string): string[] | undefined {
  const found = getField(obj, field);
  if (found === undefined || found.value === null) return undefined;
  const path = joinPath(base, found.key);
  if (!Array.isArray(found.value)) throw new InputError(`${field} must be an array of strings`, { path });
  return found.value.map((v, i) => {
    if (typeof v !== 'string')
      throw new InputError(`${field} entries must be strings`, { path: joinPath(path, i) });
    return v;
  });
}

// Reads `[{name, <valueKey>}]`; the result always uses `valueFrom` for the second field. ECS lets an
// environment entry omit `value` (it is then empty), but a secret always needs `valueFrom`.
function readPairs(
  obj: JsonObject,
  field: string,
  valueKey: string,
  base: string,
  valueOptional = false,
): SecretEntry[] {
  const found = getField(obj, field);
  if (found === undefined || found.value === null) return [];
  const path = joinPath(base, found.key);
  if (!Array.isArray(found.value)) throw new InputError(`${field} must be an array`, { path });
  return found.value.map((entry, i) => {
    const entryPath = joinPath(path, i);
    if (!isJsonObject(entry)) throw new InputError(`${field} entries must be objects`, { path: entryPath });
    const name = optionalString(entry, 'name', entryPath);
    if (name === undefined)
      throw new InputError(`${field} entry has no name`, { path: joinPath(entryPath, 'name') });
    const value = optionalString(entry, valueKey, entryPath);
    if (value === undefined) {
      if (valueOptional) return { name, valueFrom: '' };
      throw new InputError(`${field} entry ${name} has no ${valueKey}`, {
        path: joinPath(entryPath, valueKey),
      });
    }
    return { name, valueFrom: value };
  });
}

function readTags(value: unknown, path: string): TaskDefinitionTag[] {
  if (value === null) return [];
  if (!Array.isArray(value)) throw new InputError('tags must be an array', { path });
  return value.map((t, i) => {
    const tagPath = joinPath(path, i);
    if (!isJsonObject(t)) throw new InputError('tags entries must be objects', { path: tagPath });
    const key = optionalString(t, 'key', tagPath);
    const val = optionalString(t, 'value', tagPath);
    if (key === undefined) throw new InputError('tag has no key', { path: joinPath(tagPath, 'key') });
    return { key, value: val ?? '' };
  });
}
