/** Pure finders of `ecsops audit`: what was read in, findings (and what could not be decided) out. */
import { type AlarmRecord, managedTargetOf } from '../alarm/plan.js';
import type { ClusterState, InsightsLevel, ServiceState } from '../ecs-types.js';
import type { LogsCheckFinding } from '../logs/check.js';
import type { FindingCode, SecretsCheckFinding } from '../secrets/check.js';
import { AUDIT_KINDS, type AuditKind, type AuditSeverity } from './kinds.js';

/** What a finding is about. */
export interface AuditResource {
  type: 'account-default' | 'cluster' | 'service' | 'task-definition';
  /** `us-east-1` (account default), `prod` (cluster), `prod/web` (service), `web:3` (task definition). */
  name: string;
  arn?: string | undefined;
}

/** One audit finding: a stable kind, its severity, the resource, and the ecsops command that fixes it. */
export interface AuditFinding {
  kind: AuditKind;
  severity: AuditSeverity;
  account: string;
  region: string;
  resource: AuditResource;
  cluster?: string | undefined;
  service?: string | undefined;
  /** Alarm findings: the alarm's name. */
  alarmName?: string | undefined;
  /** Task-definition findings: the services (`cluster/service`) that run the revision. */
  services?: string[] | undefined;
  container?: string | undefined;
  /** The env var or option name of a secret. */
  secretName?: string | undefined;
  valueFrom?: string | undefined;
  /** The `secrets check` finding code a secrets finding comes from. */
  checkCode?: FindingCode | undefined;
  message: string;
  /** The command line that fixes it (or, for `secrets check`, shows the fix). */
  fix: string;
}

/** Builds `ecsops <global flags for this account and region> <args>`; the command layer knows the flags. */
export type FixCommand = (region: string, args: readonly string[]) => string;

/** A word as a POSIX shell reads it back unchanged. */
export function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

function finding(kind: AuditKind, fields: Omit<AuditFinding, 'kind' | 'severity'>): AuditFinding {
  return { kind, severity: AUDIT_KINDS[kind].severity, ...fields };
}

/** Clusters with Container Insights off, and regions whose account default is off. */
export function findInsightsFindings(input: {
  account: string;
  clusters: readonly ClusterState[];
  /** Defaults that could not be read are left out (the command reports them as unreadable). */
  accountDefaults: readonly { region: string; value: InsightsLevel }[];
  fix: FixCommand;
}): AuditFinding[] {
  const out: AuditFinding[] = [];
  for (const d of input.accountDefaults) {
    if (d.value !== 'disabled') continue;
    out.push(
      finding('insights-default-off', {
        account: input.account,
        region: d.region,
        resource: { type: 'account-default', name: d.region },
        message: `the account default for new clusters in ${d.region} is containerInsights=disabled`,
        fix: input.fix(d.region, ['insights', 'enable', '--account-default']),
      }),
    );
  }
  for (const c of input.clusters) {
    // Only ACTIVE clusters run anything; INACTIVE ones are deleted clusters DescribeClusters still shows.
    if (c.status !== 'ACTIVE' || c.containerInsights !== 'disabled') continue;
    out.push(
      finding('insights-off', {
        account: input.account,
        region: c.region,
        resource: { type: 'cluster', name: c.clusterName, arn: c.clusterArn },
        cluster: c.clusterName,
        message: `cluster ${c.clusterName} has Container Insights off`,
        fix: input.fix(c.region, ['insights', 'enable', '--cluster', shellWord(c.clusterName)]),
      }),
    );
  }
  return out;
}

/**
 * Services with desired count > 0 and no ecsops-managed alarm watching them (by the alarm's
 * ecsops:cluster / ecsops:service tags, as `alarm list` reads them). Services in a region whose
 * alarms could not be read are left out: the command reports that region as unreadable.
 */
export function findAlarmFindings(input: {
  account: string;
  services: readonly ServiceState[];
  alarms: readonly AlarmRecord[];
  alarmRegionsRead: ReadonlySet<string>;
  fix: FixCommand;
}): AuditFinding[] {
  const watched = new Set<string>();
  for (const a of input.alarms) {
    const target = managedTargetOf(a.tags);
    if (target) watched.add(`${a.region} ${target.clusterName} ${target.serviceName}`);
  }
  const out: AuditFinding[] = [];
  for (const s of input.services) {
    if (s.status !== 'ACTIVE' || s.desiredCount <= 0 || !input.alarmRegionsRead.has(s.region)) continue;
    if (watched.has(`${s.region} ${s.clusterName} ${s.serviceName}`)) continue;
    out.push(
      finding('service-without-alarm', {
        account: input.account,
        region: s.region,
        resource: { type: 'service', name: `${s.clusterName}/${s.serviceName}`, arn: s.serviceArn },
        cluster: s.clusterName,
        service: s.serviceName,
        message: `service ${s.clusterName}/${s.serviceName} (desired ${s.desiredCount}) has no ecsops task-health alarm`,
        fix: input.fix(s.region, [
          'alarm',
          'create',
          '--cluster',
          shellWord(s.clusterName),
          '--service',
          shellWord(s.serviceName),
          '--sns-topic',
          '<topic-arn>',
        ]),
      }),
    );
  }
  return out;
}

/**
 * Where each `secrets check` finding code goes in an audit: an audit kind, `undecided` (the check
 * could not decide: a part that could not be read) or `note` (left out). Exhaustive, so a new
 * check code cannot be dropped by accident.
 */
const SECRETS_CHECK_KINDS: Record<FindingCode, AuditKind | 'undecided' | 'note'> = {
  'parameter-missing': 'secret-missing',
  'secret-missing': 'secret-missing',
  'execution-role-cannot-read': 'secret-unreadable',
  'execution-role-cannot-decrypt': 'secret-unreadable',
  'task-role-can-but-execution-role-cannot': 'secret-unreadable',
  'kms-key-missing': 'secret-unreadable',
  'kms-key-disabled': 'secret-unreadable',
  'no-execution-role': 'execution-role-invalid',
  'execution-role-missing': 'execution-role-invalid',
  'execution-role-bad-trust': 'execution-role-invalid',
  'reference-unparseable': 'secret-reference-invalid',
  'ssm-version-selector': 'secret-reference-invalid',
  'cross-account-ssm': 'secret-reference-invalid',
  'wrapper-not-migrated': 'wrapper-in-use',
  'role-in-other-account': 'undecided',
  'cross-region-reference': 'note',
  unknown: 'undecided',
};

/** What the check of one task definition could not decide, for the audit's unreadable list. */
export interface SecretsUndecided {
  message: string;
  lackingPermission?: string | undefined;
}

/**
 * The audit findings of one task definition's `secrets check` result. A check warning (it could
 * not decide) is `undecided`, whatever its code; an info note is left out.
 */
export function findSecretsFindings(input: {
  account: string;
  region: string;
  taskDefinition: { label: string; arn?: string | undefined };
  services: readonly string[];
  checkFindings: readonly SecretsCheckFinding[];
  fix: FixCommand;
}): { findings: AuditFinding[]; undecided: SecretsUndecided[] } {
  const findings: AuditFinding[] = [];
  const undecided: SecretsUndecided[] = [];
  const label = shellWord(input.taskDefinition.label);
  for (const f of input.checkFindings) {
    const where = SECRETS_CHECK_KINDS[f.code];
    if (f.severity === 'info' || where === 'note') continue;
    if (f.severity === 'warning' || where === 'undecided') {
      undecided.push({ message: f.message, lackingPermission: f.lackingPermission });
      continue;
    }
    const fix =
      where === 'wrapper-in-use'
        ? input.fix(input.region, ['secrets', 'migrate', '--task-def', label])
        : where === 'secret-reference-invalid'
          ? input.fix(input.region, ['secrets', 'check', '--task-def', label])
          : input.fix(input.region, ['secrets', 'check', '--task-def', label, '--fix']);
    findings.push(
      finding(where, {
        account: input.account,
        region: input.region,
        resource: {
          type: 'task-definition',
          name: input.taskDefinition.label,
          arn: input.taskDefinition.arn,
        },
        services: [...input.services],
        container: f.containerName,
        secretName: f.name,
        valueFrom: f.valueFrom,
        checkCode: f.code,
        message: f.message,
        fix,
      }),
    );
  }
  return { findings, undecided };
}

/** One problem of `checkAlarmHealth` (src/core/alarm/health.ts), as the audit needs it. */
export interface AlarmHealthProblemLike {
  kind: string;
  region: string;
  alarmName: string;
  clusterName: string;
  serviceName: string;
  message: string;
}

/**
 * Alarms that cannot be trusted, from the alarm health check. Its `insights-off` problem is left
 * out: the cluster's own `insights-off` finding says it once for all its alarms.
 */
export function findAlarmHealthFindings(input: {
  account: string;
  problems: readonly AlarmHealthProblemLike[];
  fix: FixCommand;
}): AuditFinding[] {
  const out: AuditFinding[] = [];
  for (const p of input.problems) {
    const where = {
      account: input.account,
      region: p.region,
      resource: { type: 'service' as const, name: `${p.clusterName}/${p.serviceName}` },
      cluster: p.clusterName,
      service: p.serviceName,
      alarmName: p.alarmName,
      message: p.message,
    };
    if (p.kind === 'insufficient-data' || p.kind === 'no-actions') {
      out.push(
        finding(p.kind === 'no-actions' ? 'alarm-without-actions' : 'alarm-insufficient-data', {
          ...where,
          fix: input.fix(p.region, [
            'alarm',
            'create',
            '--cluster',
            shellWord(p.clusterName),
            '--service',
            shellWord(p.serviceName),
            '--sns-topic',
            '<topic-arn>',
          ]),
        }),
      );
    } else if (p.kind === 'cluster-missing' || p.kind === 'service-missing' || p.kind === 'service-idle') {
      out.push(
        finding('alarm-orphaned', {
          ...where,
          fix: input.fix(p.region, ['alarm', 'prune', '--cluster', shellWord(p.clusterName)]),
        }),
      );
    }
  }
  return out;
}

/** A cluster's ECS events rule as `alarm list` reads it (src/commands/alarm-events.ts). */
export interface EventsRuleStatusLike {
  region: string;
  clusterName: string;
  ruleName: string;
  present: boolean;
  enabled: boolean;
}

/** Clusters that have ecsops alarms but no enabled events rule (`alarm create` puts one). */
export function findEventsRuleFindings(input: {
  account: string;
  rules: readonly EventsRuleStatusLike[];
  fix: FixCommand;
}): AuditFinding[] {
  return input.rules
    .filter((r) => !(r.present && r.enabled))
    .map((r) =>
      finding('cluster-without-events-rule', {
        account: input.account,
        region: r.region,
        resource: { type: 'cluster', name: r.clusterName },
        cluster: r.clusterName,
        message: r.present
          ? `the ECS events rule ${r.ruleName} of cluster ${r.clusterName} is disabled: task failures are not posted`
          : `cluster ${r.clusterName} has ecsops alarms but no ECS events rule (${r.ruleName}): task failures are not posted`,
        fix: input.fix(r.region, [
          'alarm',
          'create',
          '--cluster',
          shellWord(r.clusterName),
          '--all-services',
          '--sns-topic',
          '<topic-arn>',
        ]),
      }),
    );
}

/** The containers of a task definition that log with the awslogs driver. */
export function findAwslogsContainers(taskDefinition: Readonly<Record<string, unknown>>): string[] {
  const containers = Array.isArray(taskDefinition.containerDefinitions)
    ? taskDefinition.containerDefinitions
    : [];
  return containers.flatMap((c: unknown) => {
    const container = c as { name?: unknown; logConfiguration?: { logDriver?: unknown } } | null;
    return container?.logConfiguration?.logDriver === 'awslogs' && typeof container.name === 'string'
      ? [container.name]
      : [];
  });
}

/**
 * The logging findings of one task definition: each gap the `logs check` found (a role that cannot
 * write a destination), and, as notes, the containers still on awslogs.
 */
export function findLogsFindings(input: {
  account: string;
  region: string;
  taskDefinition: { label: string; arn?: string | undefined };
  services: readonly string[];
  checkFindings: readonly LogsCheckFinding[];
  awslogsContainers: readonly string[];
  fix: FixCommand;
}): AuditFinding[] {
  const label = shellWord(input.taskDefinition.label);
  const base = {
    account: input.account,
    region: input.region,
    resource: {
      type: 'task-definition' as const,
      name: input.taskDefinition.label,
      arn: input.taskDefinition.arn,
    },
    services: [...input.services],
  };
  return [
    ...input.checkFindings.map((f) =>
      finding('logs-role-cannot-write', {
        ...base,
        container: f.container,
        message: f.message,
        fix: input.fix(input.region, ['logs', 'check', '--task-def', label, '--fix']),
      }),
    ),
    ...input.awslogsContainers.map((container) =>
      finding('awslogs-in-use', {
        ...base,
        container,
        message: `container ${container} logs with the awslogs driver`,
        fix: input.fix(input.region, ['logs', 'migrate', '--task-def', label]),
      }),
    ),
  ];
}

/** One `secrets drift` difference as `findDriftFindings` takes it (src/core/secrets/drift.ts). */
export interface DriftItemLike {
  kind: 'added' | 'deleted' | 'changed';
  container: string;
  name: string;
  parameter: string;
  source: string;
  valueFrom: string;
  conflict?: string | undefined;
}

/**
 * The drift of one migrated definition from its recorded sources (`secrets drift`), one finding per
 * env var. An added name that a hand-added secret already holds is left out: sync keeps it too.
 */
export function findDriftFindings(input: {
  account: string;
  region: string;
  taskDefinition: { label: string; arn?: string | undefined };
  services: readonly string[];
  items: readonly DriftItemLike[];
  fix: FixCommand;
}): AuditFinding[] {
  const label = input.taskDefinition.label;
  // One service runs the revision: the fix points it at the synced revision too (as `secrets drift` says).
  const [only, ...more] = input.services;
  const [cluster, service] = only && more.length === 0 ? only.split('/') : [];
  const fix = input.fix(input.region, [
    'secrets',
    'sync',
    '--task-def',
    shellWord(label),
    '--register',
    ...(cluster && service
      ? ['--update-service', '--cluster', shellWord(cluster), '--service', shellWord(service)]
      : []),
  ]);
  return input.items
    .filter((item) => !(item.kind === 'added' && item.conflict))
    .map((item) =>
      finding(`secrets-drift-${item.kind}`, {
        account: input.account,
        region: input.region,
        resource: { type: 'task-definition', name: label, arn: input.taskDefinition.arn },
        services: [...input.services],
        container: item.container,
        secretName: item.name,
        valueFrom: item.valueFrom,
        message:
          item.kind === 'deleted'
            ? `${label} ${item.container}: ${item.name} reads ${item.parameter}, which is gone from ${item.source}: the next task start fails`
            : item.kind === 'added'
              ? `${label} ${item.container}: ${item.parameter} is under ${item.source} but not in the definition's secrets (${item.name})`
              : `${label} ${item.container}: ${item.name} now comes from ${item.parameter} (${item.source})`,
        fix,
      }),
    );
}
