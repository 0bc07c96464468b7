/**
 * Blind-spot check of managed alarms (`alarm list --check`, reused by `ecsops audit`): pure, state
 * in, problems out. Each problem names a way an alarm can be silent while its service is not fine.
 */
import type { InsightsLevel } from '../ecs-types.js';

/** Why an alarm cannot be trusted right now. Stable strings: scripts and `audit` match on them. */
export const ALARM_HEALTH_KINDS = [
  /** INSUFFICIENT_DATA for longer than its evaluation window: no data arrives for the service. */
  'insufficient-data',
  /** Its cluster has Container Insights off: no RunningTaskCount/DesiredTaskCount at all. */
  'insights-off',
  /** Its cluster no longer exists (or is not ACTIVE). */
  'cluster-missing',
  /** Its service no longer exists. */
  'service-missing',
  /** Its service is at desired 0: the alarm reads healthy by design. */
  'service-idle',
] as const;
export type AlarmHealthKind = (typeof ALARM_HEALTH_KINDS)[number];

/** A managed alarm as the check needs it. */
export interface AlarmHealthAlarm {
  region: string;
  alarmName: string;
  clusterName: string;
  serviceName: string;
  stateValue: string | undefined;
  /** When the state last changed (StateTransitionedTimestamp, else StateUpdatedTimestamp). */
  stateSince: Date | undefined;
  /** Period × evaluation periods, in seconds; undefined when the alarm does not say. */
  evaluationSeconds: number | undefined;
}

/** A cluster an alarm points at, as read (absent from the input = not found). */
export interface AlarmHealthCluster {
  region: string;
  clusterName: string;
  status: string;
  containerInsights: InsightsLevel;
}

/** A service an alarm points at, as read (absent from the input = not found). */
export interface AlarmHealthService {
  region: string;
  clusterName: string;
  serviceName: string;
  desiredCount: number;
}

/** What the check reads: the alarms and what they point at, and the time of reading. */
export interface AlarmHealthInput {
  alarms: readonly AlarmHealthAlarm[];
  clusters: readonly AlarmHealthCluster[];
  services: readonly AlarmHealthService[];
  /** Milliseconds since the epoch. */
  now: number;
}

/** One problem with one alarm. */
export interface AlarmHealthProblem {
  kind: AlarmHealthKind;
  region: string;
  alarmName: string;
  clusterName: string;
  serviceName: string;
  message: string;
}

const key = (...parts: string[]) => parts.join('\u0000');

function formatDuration(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 120) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return hours < 48 ? `${hours} h` : `${Math.floor(hours / 24)} days`;
}

/**
 * The problems of each alarm, in alarm order; an alarm with none is fine. A cluster or service
 * that is gone or off explains an INSUFFICIENT_DATA state, so only the cause is reported then.
 */
export function checkAlarmHealth(input: AlarmHealthInput): AlarmHealthProblem[] {
  const clusters = new Map(input.clusters.map((c) => [key(c.region, c.clusterName), c]));
  const services = new Map(input.services.map((s) => [key(s.region, s.clusterName, s.serviceName), s]));
  const problems: AlarmHealthProblem[] = [];
  const sorted = [...input.alarms].sort(
    (a, b) => a.region.localeCompare(b.region) || a.alarmName.localeCompare(b.alarmName),
  );
  for (const alarm of sorted) {
    const at = {
      region: alarm.region,
      alarmName: alarm.alarmName,
      clusterName: alarm.clusterName,
      serviceName: alarm.serviceName,
    };
    const what = `${alarm.clusterName}/${alarm.serviceName}`;
    const cluster = clusters.get(key(alarm.region, alarm.clusterName));
    if (cluster?.status !== 'ACTIVE') {
      problems.push({
        ...at,
        kind: 'cluster-missing',
        message: `${what}: cluster ${alarm.clusterName} no longer exists; the alarm watches nothing (ecsops alarm prune removes it)`,
      });
      continue;
    }
    if (cluster.containerInsights === 'disabled') {
      problems.push({
        ...at,
        kind: 'insights-off',
        message: `${what}: Container Insights is off for cluster ${alarm.clusterName}; the alarm gets no data and keeps its last state (ecsops insights enable --cluster ${alarm.clusterName})`,
      });
      continue;
    }
    const service = services.get(key(alarm.region, alarm.clusterName, alarm.serviceName));
    if (!service) {
      problems.push({
        ...at,
        kind: 'service-missing',
        message: `${what}: the service no longer exists (ecsops alarm prune removes its alarm)`,
      });
      continue;
    }
    if (service.desiredCount === 0) {
      problems.push({
        ...at,
        kind: 'service-idle',
        message: `${what}: desired count is 0; the alarm reads healthy whatever happens (ecsops alarm prune removes it)`,
      });
      continue;
    }
    if (alarm.stateValue === 'INSUFFICIENT_DATA') {
      const windowMs = (alarm.evaluationSeconds ?? 0) * 1000;
      const since = alarm.stateSince?.getTime();
      const forMs = since === undefined ? undefined : input.now - since;
      if (forMs === undefined || forMs > windowMs) {
        problems.push({
          ...at,
          kind: 'insufficient-data',
          message: `${what}: INSUFFICIENT_DATA ${forMs === undefined ? '(since an unknown time)' : `for ${formatDuration(forMs)}`}, longer than its ${Math.round(windowMs / 1000)} s evaluation window: no Container Insights data arrives (a service that never started, or metrics not flowing)`,
        });
      }
    }
  }
  return problems;
}
