/**
 * Plans the move of a task definition's containers from the `awslogs` driver to FireLens (a Fluent
 * Bit log router): pure, state in, plan out. Every default and every AWS fact used here is in
 * docs/firelens.md with its source.
 */
import { TASK_DEFINITION_SIZE_LIMIT, taskDefinitionSizeBytes } from '../task-definition/edit.js';
import { getField, isJsonObject, type JsonObject, setField } from '../task-definition/json.js';
import {
  containerDefinitionsArray,
  type ParsedTaskDefinition,
  taskDefinitionObject,
  toRegisterInput,
} from '../task-definition/parse.js';
import { type FluentBitConfig, type MultilineSpec, renderFluentBitConfig } from './fluent-bit-config.js';
import { type RouteRule, regexProblems } from './routes.js';

/** AWS for Fluent Bit in Amazon ECR Public (docs/firelens.md "Image"). */
export const FLUENT_BIT_IMAGE_REPOSITORY = 'public.ecr.aws/aws-observability/aws-for-fluent-bit';
/** AWS's public SSM parameter holding the regional image URI of the current stable version. */
export const FLUENT_BIT_STABLE_PARAMETER = '/aws/service/aws-for-fluent-bit/stable';
/** Used when that parameter cannot be read (docs/firelens.md: the stable version when this was written). */
export const FLUENT_BIT_FALLBACK_VERSION = '2.32.2.20241008';
/** Name of the router container ecsops adds (AWS's examples use it). */
export const ROUTER_NAME = 'log_router';
/** AWS's samples reserve 50 MiB for the router (docs/firelens.md "Memory"). */
export const ROUTER_MEMORY_RESERVATION_MIB = 50;
/** Above Fluent Bit's Grace 30 s, so ECS does not SIGKILL the router while it flushes. */
export const ROUTER_STOP_TIMEOUT_SECONDS = 45;
/** Shipped in the image: `[SERVICE] Flush 1, Grace 30` (docs/firelens.md "Shutdown"). */
export const MINIMIZE_LOG_LOSS_CONF = '/fluent-bit/configs/minimize-log-loss.conf';
/** Tag on a migrated revision, so a re-run recognises it. */
export const LOGS_SOURCE_TAG = 'ecsops:logs-source';

/** How the generated Fluent Bit configuration reaches the router. */
export type ConfigDelivery =
  | { kind: 'none' }
  /** `--config-s3 s3://bucket/prefix/`: objects named after the family, loaded by the `init-` image. */
  | { kind: 's3'; bucket: string; prefix: string }
  /** `--config-out FILE`: baked into a custom image at `imagePath`. */
  | { kind: 'file'; imagePath: string };

/** Options of a plan (flags of `logs migrate` plus what was read). */
export interface LogsMigrateOptions {
  /** The image tag chosen (the stable version, or the --router-image's whole reference). */
  routerImage: { kind: 'version'; version: string } | { kind: 'image'; image: string };
  keepMetadata: boolean;
  rules: readonly RouteRule[];
  delivery: ConfigDelivery;
  /** The run's region: for containers whose awslogs options name none, and for ARNs. */
  region: string | undefined;
  account: string | undefined;
  partition: string;
}

/** Something that blocks the migration of one container (`*`: the whole definition). */
export interface LogsRefusal {
  container: string;
  reason: string;
}

/** One row of the migration table. */
export interface LogsContainerRow {
  container: string;
  /** The driver before. */
  from: string;
  /** What happens: migrated, left alone, router (added or reused), refused. */
  action: 'migrated' | 'left-alone' | 'router-added' | 'router-reused' | 'refused';
  detail: string;
}

/** An S3 object the router loads (`--config-s3`): what to upload. */
export interface ConfigObject {
  bucket: string;
  key: string;
  arn: string;
  body: string;
}

/** A destination of the new definition the task role must reach (beyond what the definition shows). */
export interface PlannedLogsDestination {
  container: string;
  destination: FluentBitConfig['destinations'][number]['destination'];
}

/** The plan. `document`/`registerInput` only when `status` is `migrated`. */
export interface LogsMigrationPlan {
  status: 'migrated' | 'nothing-to-do' | 'refused';
  document: unknown;
  registerInput: JsonObject | undefined;
  rows: LogsContainerRow[];
  refusals: LogsRefusal[];
  warnings: string[];
  sizeBytes: number;
  sizeLimitBytes: number;
  /** The generated configuration, when rules or multiline options need one. */
  config?: FluentBitConfig | undefined;
  /** `--config-s3`: the objects to upload. */
  configObjects: ConfigObject[];
  /** Destinations the generated configuration adds (for the task-role check). */
  routedDestinations: PlannedLogsDestination[];
  routerName: string | undefined;
}

const AWSLOGS_OPTIONS = new Set([
  'awslogs-group',
  'awslogs-region',
  'awslogs-stream-prefix',
  'awslogs-create-group',
  'awslogs-datetime-format',
  'awslogs-multiline-pattern',
]);

/** Options with no FireLens equivalent ecsops can vouch for: the container is refused, never dropped. */
const UNTRANSLATED: Record<string, string> = {
  mode: 'the delivery mode of the awslogs driver has no verified FireLens equivalent (FireLens uses the fluentd driver and its own buffer, log-driver-buffer-limit)',
  'max-buffer-size':
    'the awslogs non-blocking buffer size has no FireLens equivalent (the fluentd driver buffer, log-driver-buffer-limit, counts lines, not bytes)',
  'awslogs-endpoint': 'a custom CloudWatch Logs endpoint is not translated',
  'awslogs-credentials-endpoint':
    'FireLens sends with the task role; an awslogs credentials endpoint cannot be carried over',
};

/** Plans the FireLens migration of `parsed`. */
export function planLogsMigration(
  parsed: ParsedTaskDefinition,
  options: LogsMigrateOptions,
): LogsMigrationPlan {
  const base: LogsMigrationPlan = {
    status: 'nothing-to-do',
    document: undefined,
    registerInput: undefined,
    rows: [],
    refusals: [],
    warnings: [],
    sizeBytes: 0,
    sizeLimitBytes: TASK_DEFINITION_SIZE_LIMIT,
    configObjects: [],
    routedDestinations: [],
    routerName: undefined,
  };
  const document: unknown = structuredClone(parsed.document);
  const td = taskDefinitionObject(document, parsed.shape);
  const containers = containerDefinitionsArray(document, parsed.shape).filter(isJsonObject);

  const os = td
    ? getField(getObject(td, 'runtimePlatform') ?? {}, 'operatingSystemFamily')?.value
    : undefined;
  if (typeof os === 'string' && os.startsWith('WINDOWS')) {
    return {
      ...base,
      status: 'refused',
      refusals: [
        {
          container: '*',
          reason: `runtimePlatform.operatingSystemFamily is ${os}: FireLens does not support Windows containers (docs/firelens.md)`,
        },
      ],
    };
  }

  const existingRouter = containers.find((c) => getField(c, 'firelensConfiguration') !== undefined);
  const rows: LogsContainerRow[] = [];
  const refusals: LogsRefusal[] = [];
  const warnings: string[] = [];
  const multiline: MultilineSpec[] = [];
  const migrations: { container: JsonObject; name: string; options: Record<string, string> }[] = [];

  for (const c of containers) {
    const name = stringField(c, 'name') ?? '?';
    if (c === existingRouter) {
      rows.push({
        container: name,
        from: driverOf(c),
        action: 'router-reused',
        detail: 'existing FireLens router',
      });
      continue;
    }
    const driver = driverOf(c);
    if (driver !== 'awslogs') {
      rows.push({
        container: name,
        from: driver,
        action: 'left-alone',
        detail: driver === 'none' ? 'no logConfiguration' : `logDriver ${driver} is not awslogs`,
      });
      continue;
    }
    const opts = logOptions(c);
    const problems: string[] = [];
    for (const key of Object.keys(opts)) {
      const why = UNTRANSLATED[key];
      if (why) problems.push(`${key}: ${why}`);
      else if (!AWSLOGS_OPTIONS.has(key)) problems.push(`${key}: unknown awslogs option, not translated`);
    }
    const group = opts['awslogs-group'];
    if (!group) problems.push('awslogs-group is missing');
    const region = opts['awslogs-region'] ?? options.region;
    if (!region) problems.push('awslogs-region is missing and no region was given (--region)');
    const start = startPattern(opts, problems);
    if (start !== undefined) {
      if (options.delivery.kind !== 's3') {
        problems.push(
          `${opts['awslogs-datetime-format'] !== undefined ? 'awslogs-datetime-format' : 'awslogs-multiline-pattern'} needs a Fluent Bit multiline parser, which ecsops delivers only with --config-s3`,
        );
      } else multiline.push({ container: name, startPattern: start });
    }
    if (problems.length > 0) {
      for (const reason of problems) refusals.push({ container: name, reason });
      rows.push({ container: name, from: 'awslogs', action: 'refused', detail: problems.join('; ') });
      continue;
    }
    const fireLensOptions: Record<string, string> = {
      Name: 'cloudwatch_logs',
      region: region as string,
      log_group_name: group as string,
      // awslogs names streams PREFIX/CONTAINER/TASK-ID; cloudwatch_logs appends the tag
      // CONTAINER-firelens-TASK-ID to the prefix, so `PREFIX/` keeps stream-prefix filters working.
      log_stream_prefix: `${opts['awslogs-stream-prefix'] ?? 'ecs'}/`,
      ...(opts['awslogs-create-group'] === 'true' ? { auto_create_group: 'true' } : {}),
      ...(options.keepMetadata ? {} : { log_key: 'log' }),
    };
    migrations.push({ container: c, name, options: fireLensOptions });
    rows.push({
      container: name,
      from: 'awslogs',
      action: 'migrated',
      detail: `${group} (${region})${start !== undefined ? ', multiline parser' : ''}`,
    });
  }

  const ruleContainers = new Set(options.rules.map((r) => r.container));
  for (const rc of ruleContainers) {
    const known = migrations.some((m) => m.name === rc);
    if (!known)
      refusals.push({
        container: rc,
        reason: `the routes file names container ${rc}, which this migration does not move to FireLens`,
      });
  }
  if (options.rules.length > 0 && options.delivery.kind === 'none') {
    refusals.push({
      container: '*',
      reason: '--routes needs --config-s3 or --config-out to deliver the configuration',
    });
  }
  const needsConfig = options.rules.length > 0 || multiline.length > 0;
  if (existingRouter && needsConfig) {
    refusals.push({
      container: stringField(existingRouter, 'name') ?? '?',
      reason:
        'the definition already has a FireLens router; ecsops does not rewrite its configuration (routes and multiline need it)',
    });
  }
  if (refusals.length > 0) return { ...base, status: 'refused', rows, refusals, warnings };
  if (migrations.length === 0) return { ...base, rows, warnings };

  const region = options.region ?? (migrations[0]?.options.region as string);
  const config = needsConfig
    ? renderFluentBitConfig({ rules: options.rules, multiline, region, keepMetadata: options.keepMetadata })
    : undefined;
  const family = td ? (stringField(td, 'family') ?? 'task') : 'task';
  const configObjects: ConfigObject[] = [];
  if (config && options.delivery.kind === 's3') {
    const { bucket, prefix } = options.delivery;
    const object = (suffix: string, body: string): ConfigObject => {
      const key = `${prefix}${family}${suffix}`;
      return { bucket, key, arn: `arn:${options.partition}:s3:::${bucket}/${key}`, body };
    };
    configObjects.push(object('.conf', config.main));
    if (config.parsers) configObjects.push(object('-parsers.conf', config.parsers));
  }

  // Edit: each migrated container logs through FireLens; the router is added unless one exists.
  for (const m of migrations) {
    const logConfiguration = getObject(m.container, 'logConfiguration') ?? {};
    const secretOptions = getField(logConfiguration, 'secretOptions');
    setField(m.container, 'logConfiguration', {
      logDriver: 'awsfirelens',
      options: m.options,
      ...(secretOptions ? { secretOptions: secretOptions.value } : {}),
    });
  }
  let routerName = existingRouter ? stringField(existingRouter, 'name') : undefined;
  if (!existingRouter) {
    const names = new Set(containers.map((c) => stringField(c, 'name')));
    routerName = ROUTER_NAME;
    for (let n = 2; names.has(routerName); n++) routerName = `${ROUTER_NAME}_${n}`;
    const first = migrations[0] as (typeof migrations)[number];
    const router = routerContainer({
      name: routerName,
      image: routerImage(options.routerImage, configObjects.length > 0),
      keepMetadata: options.keepMetadata,
      delivery: options.delivery,
      configObjects,
      routerLogGroup: first.options.log_group_name as string,
      region: first.options.region as string,
    });
    const list = containerDefinitionsArray(document, parsed.shape);
    list.push(router);
    rows.push({
      container: routerName,
      from: 'none',
      action: 'router-added',
      detail: router.image as string,
    });
  }

  const memory = td ? Number(stringOrNumber(td, 'memory')) : Number.NaN;
  if (!existingRouter && Number.isFinite(memory)) {
    const reserved = containers.reduce(
      (sum, c) => sum + Number(stringOrNumber(c, 'memoryReservation') ?? stringOrNumber(c, 'memory') ?? 0),
      0,
    );
    if (reserved + ROUTER_MEMORY_RESERVATION_MIB > memory) {
      warnings.push(
        `containers reserve ${reserved} MiB and the router ${ROUTER_MEMORY_RESERVATION_MIB} MiB, over the task's ${memory} MiB: raise the task memory`,
      );
    }
  }

  const registerTd = taskDefinitionObject(document, parsed.shape);
  const registerInput = registerTd === undefined ? undefined : toRegisterInput(registerTd, parsed.tags);
  const sizeBytes = taskDefinitionSizeBytes(registerInput ?? { containerDefinitions: document });
  const routedDestinations = (config?.destinations ?? []).flatMap((d) =>
    d.rules.map((i) => ({
      container: options.rules.find((r) => r.index === i)?.container ?? '?',
      destination: d.destination,
    })),
  );
  const planned: LogsMigrationPlan = {
    ...base,
    status: 'migrated',
    document,
    registerInput,
    rows,
    warnings,
    sizeBytes,
    config,
    configObjects,
    routedDestinations,
    routerName,
  };
  if (sizeBytes > TASK_DEFINITION_SIZE_LIMIT) {
    return {
      ...planned,
      status: 'refused',
      document: undefined,
      registerInput: undefined,
      refusals: [
        {
          container: '*',
          reason: `the migrated task definition is ${sizeBytes} bytes, over the 64 KiB limit`,
        },
      ],
    };
  }
  return planned;
}

/** The router's image reference: the pinned version (its `init-` tag when it loads S3 objects). */
export function routerImage(choice: LogsMigrateOptions['routerImage'], init: boolean): string {
  if (choice.kind === 'image') return choice.image;
  return `${FLUENT_BIT_IMAGE_REPOSITORY}:${init ? 'init-' : ''}${choice.version}`;
}

/** The version tag inside the stable parameter's value (`ACCOUNT.dkr.ecr.REGION.amazonaws.com/aws-for-fluent-bit:2.32.2.20241008`). */
export function versionFromStableParameter(value: string): string | undefined {
  const tag = value.split(':').pop();
  return tag && /^\d+\.\d+\.\d+(\.\d+)?$/.test(tag) ? tag : undefined;
}

function routerContainer(args: {
  name: string;
  image: string;
  keepMetadata: boolean;
  delivery: ConfigDelivery;
  configObjects: readonly ConfigObject[];
  routerLogGroup: string;
  region: string;
}): JsonObject {
  const options: Record<string, string> = { 'enable-ecs-log-metadata': args.keepMetadata ? 'true' : 'false' };
  const environment: { name: string; value: string }[] = [];
  if (args.configObjects.length > 0) {
    // The init image downloads each aws_fluent_bit_init_s3_N object with the TASK role and includes it.
    args.configObjects.forEach((o, i) => {
      environment.push({ name: `aws_fluent_bit_init_s3_${i + 1}`, value: o.arn });
    });
  } else {
    options['config-file-type'] = 'file';
    options['config-file-value'] =
      args.delivery.kind === 'file' ? args.delivery.imagePath : MINIMIZE_LOG_LOSS_CONF;
  }
  return {
    name: args.name,
    image: args.image,
    essential: true,
    memoryReservation: ROUTER_MEMORY_RESERVATION_MIB,
    stopTimeout: ROUTER_STOP_TIMEOUT_SECONDS,
    firelensConfiguration: { type: 'fluentbit', options },
    ...(environment.length > 0 ? { environment } : {}),
    // The router's own logs go through awslogs (the EXECUTION role), so a failing router is visible.
    logConfiguration: {
      logDriver: 'awslogs',
      options: {
        'awslogs-group': args.routerLogGroup,
        'awslogs-region': args.region,
        'awslogs-stream-prefix': 'firelens',
      },
    },
  };
}

// awslogs ignores the multiline pattern when a datetime format is set (docs/firelens.md).
function startPattern(opts: Record<string, string>, problems: string[]): string | undefined {
  const datetime = opts['awslogs-datetime-format'];
  if (datetime !== undefined) {
    const translated = strftimeToRegex(datetime);
    if (typeof translated === 'object') {
      problems.push(`awslogs-datetime-format ${datetime}: ${translated.error}`);
      return undefined;
    }
    return translated;
  }
  const pattern = opts['awslogs-multiline-pattern'];
  if (pattern === undefined) return undefined;
  if (pattern.includes('"')) {
    problems.push(
      'awslogs-multiline-pattern contains a double quote, which a Fluent Bit multiline rule cannot hold',
    );
    return undefined;
  }
  try {
    new RegExp(pattern);
  } catch (error) {
    problems.push(`awslogs-multiline-pattern is not a valid regular expression: ${(error as Error).message}`);
    return undefined;
  }
  return pattern;
}

const STRFTIME: Record<string, string> = {
  Y: '\\d{4}',
  y: '\\d{2}',
  m: '\\d{2}',
  d: '\\d{2}',
  e: '[\\s\\d]\\d',
  H: '\\d{2}',
  k: '[\\s\\d]\\d',
  I: '\\d{2}',
  l: '[\\s\\d]\\d',
  M: '\\d{2}',
  S: '\\d{2}',
  f: '\\d{1,9}',
  j: '\\d{3}',
  b: '[A-Z][a-z]{2}',
  a: '[A-Z][a-z]{2}',
  B: '[A-Z][a-z]+',
  A: '[A-Z][a-z]+',
  p: '[AP]M',
  Z: '[A-Z]{1,5}',
  z: '[+-]\\d{2}:?\\d{2}',
  '%': '%',
};

/** The start-of-event regex of an awslogs-datetime-format (strftime), anchored at the line start. */
export function strftimeToRegex(format: string): string | { error: string } {
  let out = '^';
  for (let i = 0; i < format.length; i++) {
    const ch = format[i] as string;
    if (ch !== '%') {
      out += /\s/.test(ch) ? '\\s' : ch.replace(/[.*+?^${}()|[\]\\/"]/g, '\\$&');
      continue;
    }
    const token = format[i + 1];
    const re = token === undefined ? undefined : STRFTIME[token];
    if (re === undefined) return { error: `strftime token %${token ?? ''} is not translated` };
    out += re;
    i++;
  }
  return regexProblems(out, 'x').length > 0 ? { error: 'does not translate to a valid pattern' } : out;
}

function driverOf(c: JsonObject): string {
  const lc = getObject(c, 'logConfiguration');
  const driver = lc ? getField(lc, 'logDriver')?.value : undefined;
  return typeof driver === 'string' ? driver : 'none';
}

function logOptions(c: JsonObject): Record<string, string> {
  const lc = getObject(c, 'logConfiguration');
  const opts = lc ? getObject(lc, 'options') : undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(opts ?? {})) if (typeof v === 'string') out[k] = v;
  return out;
}

function getObject(obj: JsonObject, key: string): JsonObject | undefined {
  const v = getField(obj, key)?.value;
  return isJsonObject(v) ? v : undefined;
}

function stringField(obj: JsonObject, key: string): string | undefined {
  const v = getField(obj, key)?.value;
  return typeof v === 'string' ? v : undefined;
}

function stringOrNumber(obj: JsonObject, key: string): string | number | undefined {
  const v = getField(obj, key)?.value;
  return typeof v === 'string' || typeof v === 'number' ? v : undefined;
}
