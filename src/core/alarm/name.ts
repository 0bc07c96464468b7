import { createHash } from 'node:crypto';
import { UsageError } from '../../errors.js';
import type { AlarmTarget } from './types.js';

/** Default `--name-prefix`. */
export const DEFAULT_NAME_PREFIX = 'ecsops-task-health';

/** PutMetricAlarm `AlarmName`: 1 to 255 characters. */
export const MAX_ALARM_NAME_LENGTH = 255;

/**
 * Longest accepted `--name-prefix`. Cluster and service names may each be 255 characters, so a
 * short prefix leaves room for a recognisable part of both plus the hash.
 */
export const MAX_NAME_PREFIX_LENGTH = 64;

/** Hex characters of the SHA-256 appended to a truncated name. */
export const NAME_HASH_LENGTH = 8;

// PutMetricAlarm accepts any UTF-8 except ASCII control characters, but the CloudWatch user guide
// still says "Alarm names must contain only ASCII characters", and names end up in ARNs, shell
// commands and chat messages. So the prefix is held to printable ASCII without whitespace.
const PREFIX_PATTERN = /^[\x21-\x7e]+$/;

/** Throws a UsageError unless `prefix` is safe to start every ecsops alarm name with. */
export function validateNamePrefix(prefix: string): void {
  if (prefix.length === 0) throw new UsageError('--name-prefix must not be empty');
  if (prefix.length > MAX_NAME_PREFIX_LENGTH) {
    throw new UsageError(
      `--name-prefix is ${prefix.length} characters; the limit is ${MAX_NAME_PREFIX_LENGTH}`,
    );
  }
  if (!PREFIX_PATTERN.test(prefix)) {
    throw new UsageError(
      `--name-prefix ${JSON.stringify(prefix)} may contain only printable ASCII characters without spaces`,
    );
  }
}

/**
 * The deterministic alarm name `<prefix>-<cluster>-<service>`. When that exceeds 255 characters the
 * cluster and service parts are shortened and a hash of the full name is appended, so two long
 * names that share a beginning still get different alarms, and the same service always gets the
 * same one. The prefix is never shortened: reads use it as `AlarmNamePrefix`.
 */
export function planAlarmName(prefix: string, target: AlarmTarget): string {
  validateNamePrefix(prefix);
  const full = `${prefix}-${target.clusterName}-${target.serviceName}`;
  if (full.length <= MAX_ALARM_NAME_LENGTH) return full;
  return joinName(prefix, target, shortHash(full));
}

/**
 * The name a service's alarm takes when its usual name belongs to another service: ECS names may
 * contain "-", so cluster `a-b` + service `c` and cluster `a` + service `b-c` share
 * `<prefix>-a-b-c`. The suffix hashes cluster and service apart ("/" cannot occur in either name),
 * so it differs between the two and is the same on every run.
 */
export function planDistinctAlarmName(prefix: string, target: AlarmTarget): string {
  validateNamePrefix(prefix);
  return joinName(prefix, target, shortHash(`${target.clusterName}/${target.serviceName}`));
}

const shortHash = (text: string): string =>
  createHash('sha256').update(text).digest('hex').slice(0, NAME_HASH_LENGTH);

/** `<prefix>-<cluster>-<service>-<hash>`, cluster and service shortened to fit 255 characters. */
function joinName(prefix: string, target: AlarmTarget, hash: string): string {
  const { clusterName, serviceName } = target;
  // Room for cluster + service after `<prefix>-`, `-` between them, and `-<hash>`.
  const budget = MAX_ALARM_NAME_LENGTH - prefix.length - 3 - NAME_HASH_LENGTH;
  if (clusterName.length + serviceName.length <= budget)
    return `${prefix}-${clusterName}-${serviceName}-${hash}`;
  const half = Math.floor(budget / 2);
  let clusterPart: string;
  let servicePart: string;
  if (serviceName.length <= half) {
    servicePart = serviceName;
    clusterPart = clusterName.slice(0, budget - serviceName.length);
  } else if (clusterName.length <= budget - half) {
    clusterPart = clusterName;
    servicePart = serviceName.slice(0, budget - clusterName.length);
  } else {
    clusterPart = clusterName.slice(0, budget - half);
    servicePart = serviceName.slice(0, half);
  }
  return `${prefix}-${clusterPart}-${servicePart}-${hash}`;
}

/** The `AlarmNamePrefix` that finds every alarm ecsops may have created with `prefix`. */
export function alarmNameSearchPrefix(prefix: string): string {
  return `${prefix}-`;
}
