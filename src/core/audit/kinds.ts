/**
 * The stable finding kinds of `ecsops audit` (README "ecsops audit"; scripts may match on them), with
 * their severity and the ecsops command that fixes them.
 */

/** Most to least urgent. `info` findings are notes: they do not make the audit fail (docs/audit.md). */
export const AUDIT_SEVERITIES = ['high', 'medium', 'low', 'info'] as const;
export type AuditSeverity = (typeof AUDIT_SEVERITIES)[number];

/** Each kind: its severity, what it means, and the command (README table) that fixes it. */
export const AUDIT_KINDS = {
  'secret-missing': {
    severity: 'high',
    about:
      'a secret names an SSM parameter or Secrets Manager secret that does not exist: new tasks fail to start',
    fix: 'secrets check --fix',
  },
  'secret-unreadable': {
    severity: 'high',
    about:
      'the execution role cannot read or decrypt a secret (or its KMS key is missing or disabled): new tasks fail to start',
    fix: 'secrets check --fix',
  },
  'execution-role-invalid': {
    severity: 'high',
    about:
      'the task definition has secrets but no execution role, or one that does not exist or ECS cannot assume',
    fix: 'secrets check --fix',
  },
  'secret-reference-invalid': {
    severity: 'high',
    about: 'a secret reference ECS cannot resolve (unparseable, ":version" selector, cross-account SSM)',
    fix: 'secrets check',
  },
  'logs-role-cannot-write': {
    severity: 'high',
    about:
      "a role cannot write a container's log destination (the execution role for awslogs, the task role for FireLens): logs are lost",
    fix: 'logs check --fix',
  },
  'secrets-drift-deleted': {
    severity: 'high',
    about:
      "a migrated definition's secret names a parameter that is gone from its recorded source path: new tasks fail to start",
    fix: 'secrets sync',
  },
  'service-without-alarm': {
    severity: 'high',
    about: 'a service with desired count > 0 has no ecsops task-health alarm',
    fix: 'alarm create',
  },
  'alarm-insufficient-data': {
    severity: 'high',
    about:
      "a service's task-health alarm has been INSUFFICIENT_DATA longer than its evaluation window: it cannot fire",
    fix: 'alarm create',
  },
  'alarm-without-actions': {
    severity: 'high',
    about: "a service's task-health alarm has no enabled alarm action: it goes to ALARM and notifies no one",
    fix: 'alarm create',
  },
  'wrapper-in-use': {
    severity: 'medium',
    about: 'a task definition a service runs still loads secrets through an env-loading wrapper',
    fix: 'secrets migrate',
  },
  'secrets-drift-added': {
    severity: 'medium',
    about:
      "a parameter now under a migrated definition's recorded source path is missing from its secrets (the wrapper would have loaded it)",
    fix: 'secrets sync',
  },
  'secrets-drift-changed': {
    severity: 'medium',
    about: "a migrated definition's env var now comes from another parameter under its recorded sources",
    fix: 'secrets sync',
  },
  'insights-off': {
    severity: 'medium',
    about: 'a cluster has Container Insights off (task-health alarms have no metrics)',
    fix: 'insights enable',
  },
  'cluster-without-events-rule': {
    severity: 'medium',
    about: 'a cluster with ecsops alarms has no (enabled) ECS events rule: task failures are not posted',
    fix: 'alarm create',
  },
  'insights-default-off': {
    severity: 'low',
    about: "the region's account default has Container Insights off, so new clusters start without it",
    fix: 'insights enable --account-default',
  },
  'alarm-orphaned': {
    severity: 'low',
    about: 'an ecsops alarm watches a service that is gone or scaled to 0: it reads healthy whatever happens',
    fix: 'alarm prune',
  },
  'awslogs-in-use': {
    severity: 'info',
    about:
      'a container a service runs logs with the awslogs driver (a note: logs migrate moves it to FireLens)',
    fix: 'logs migrate',
  },
} as const satisfies Record<string, { severity: AuditSeverity; about: string; fix: string }>;

/** A finding kind. */
export type AuditKind = keyof typeof AUDIT_KINDS;

/** Every kind, most severe first (the README table's order). */
export const AUDIT_KIND_NAMES = Object.keys(AUDIT_KINDS) as AuditKind[];

/** Sort rank of a severity: 0 is the most urgent. */
export function severityRank(severity: AuditSeverity): number {
  return AUDIT_SEVERITIES.indexOf(severity);
}
