/**
 * The log-shipping role check (pure): which role writes each log destination of a task definition,
 * and whether that role may. awslogs ships with the task EXECUTION role; FireLens outputs ship from
 * the router with the TASK role (docs/firelens.md "Roles"). Decisions come from the one IAM evaluator
 * in src/core/iam/ (identity policies, permissions boundary, explicit denies).
 */
import { roleRequest } from '../iam/ecs-request.js';
import { type AccessDecision, evaluateIdentityAccess } from '../iam/evaluate.js';
import type { Lookup, RoleState } from '../secrets/check.js';
import { getField, isJsonObject, type JsonObject } from '../task-definition/json.js';
import type { PlannedLogsDestination } from './migrate.js';

/** Which role a cell is about. */
export type LogsRoleKind = 'execution' | 'task';

/** One permission one role needs: role, action, resource, and the evaluator's answer. */
export interface LogsCheckCell {
  container: string;
  /** What the container's logs go through (`awslogs`, `awsfirelens cloudwatch_logs`, `router config`...). */
  via: string;
  role: LogsRoleKind;
  roleArn: string | undefined;
  action: string;
  resource: string;
  /** The resource as the fix policy grants it. */
  grant: string;
  decision:
    | AccessDecision
    | { decision: 'no-role'; reason: string }
    | { decision: 'not-checked'; reason: string };
}

/** A gap: exit 1, with the role, the action and the resource. */
export interface LogsCheckFinding {
  container: string;
  role: LogsRoleKind;
  roleArn: string | undefined;
  action: string;
  resource: string;
  message: string;
}

/** The check of one task definition. */
export interface LogsCheckResult {
  status: 'ok' | 'findings' | 'incomplete';
  cells: LogsCheckCell[];
  findings: LogsCheckFinding[];
  /** Least-privilege inline policies closing the gaps, per role. */
  fixes: { roleArn: string; role: LogsRoleKind; policyName: string; policy: LogsFixPolicy }[];
  /** Those policies close every gap (none is an explicit deny, or a missing role). */
  fixable: boolean;
}

/** An IAM policy document. */
export interface LogsFixPolicy {
  Version: '2012-10-17';
  Statement: { Sid: string; Effect: 'Allow'; Action: string[]; Resource: string[] }[];
}

/** A permission to check, before the role is known to allow it. */
export interface LogsNeed {
  container: string;
  via: string;
  role: LogsRoleKind;
  action: string;
  resource: string;
  grant: string;
}

/** What the check reads: the definition (RegisterTaskDefinition input shape), region, account, roles. */
export interface LogsCheckInput {
  taskDefinition: JsonObject;
  region: string;
  account: string;
  partition: string;
  /** Destinations a generated router configuration adds (they are not in the definition itself). */
  routed?: readonly PlannedLogsDestination[] | undefined;
  roles: Readonly<Record<string, Lookup<RoleState>>>;
}

/** The roles `needs` puts on: the ARNs to read (only those of the caller's account can be read). */
export function rolesToRead(taskDefinition: JsonObject, account: string): string[] {
  const arns = [str(taskDefinition.executionRoleArn), str(taskDefinition.taskRoleArn)].filter(
    (a): a is string => a !== undefined && a.split(':')[4] === account,
  );
  return [...new Set(arns)];
}

/** Every permission the definition's logging needs, per container and role. */
export function planLogsNeeds(input: Omit<LogsCheckInput, 'roles'>): LogsNeed[] {
  const { region, account, partition } = input;
  const needs: LogsNeed[] = [];
  const logGroup = (
    container: string,
    via: string,
    role: LogsRoleKind,
    group: string,
    groupRegion: string,
    prefix: string,
    create: boolean,
  ) => {
    const groupArn = `arn:${partition}:logs:${groupRegion}:${account}:log-group:${group}`;
    const streams = `${groupArn}:log-stream:${prefix}*`;
    const grant = `${groupArn}:*`;
    for (const action of ['logs:CreateLogStream', 'logs:PutLogEvents'])
      needs.push({ container, via, role, action, resource: streams, grant });
    if (create)
      needs.push({ container, via, role, action: 'logs:CreateLogGroup', resource: groupArn, grant });
  };
  const containers = Array.isArray(input.taskDefinition.containerDefinitions)
    ? input.taskDefinition.containerDefinitions.filter(isJsonObject)
    : [];
  for (const c of containers) {
    const name = str(c.name) ?? '?';
    const lc = isJsonObject(c.logConfiguration) ? c.logConfiguration : undefined;
    const driver = lc ? str(lc.logDriver) : undefined;
    const opts = lc && isJsonObject(lc.options) ? lc.options : {};
    const o = (k: string) => str(getField(opts, k)?.value);
    if (driver === 'awslogs') {
      const group = o('awslogs-group');
      if (group)
        logGroup(
          name,
          'awslogs',
          'execution',
          group,
          o('awslogs-region') ?? region,
          o('awslogs-stream-prefix') ?? '',
          o('awslogs-create-group') === 'true',
        );
    } else if (driver === 'awsfirelens') {
      const plugin = o('Name') ?? o('name');
      const r = o('region') ?? region;
      const via = `awsfirelens ${plugin ?? '?'}`;
      if (plugin === 'cloudwatch_logs' || plugin === 'cloudwatch') {
        const group = o('log_group_name');
        if (group)
          logGroup(
            name,
            via,
            'task',
            group,
            r,
            o('log_stream_prefix') ?? '',
            o('auto_create_group') === 'true',
          );
      } else if (plugin === 'kinesis_firehose' || plugin === 'firehose') {
        const stream = o('delivery_stream');
        if (stream) {
          const arn = `arn:${partition}:firehose:${r}:${account}:deliverystream/${stream}`;
          needs.push({
            container: name,
            via,
            role: 'task',
            action: 'firehose:PutRecordBatch',
            resource: arn,
            grant: arn,
          });
        }
      } else if (plugin === 's3') {
        const bucket = o('bucket');
        if (bucket) {
          const arn = `arn:${partition}:s3:::${bucket}/*`;
          needs.push({
            container: name,
            via,
            role: 'task',
            action: 's3:PutObject',
            resource: arn,
            grant: arn,
          });
        }
      } else {
        needs.push({ container: name, via, role: 'task', action: '?', resource: plugin ?? '?', grant: '' });
      }
    }
    // The router's init image downloads aws_fluent_bit_init_s3_N objects with the task role.
    if (isJsonObject(c.firelensConfiguration) && Array.isArray(c.environment)) {
      for (const e of c.environment.filter(isJsonObject)) {
        const envName = str(e.name);
        const value = str(e.value);
        if (!envName || !value || !/^aws_fluent_bit_init_s3_/i.test(envName)) continue;
        const bucketArn = value.split('/')[0] as string;
        needs.push({
          container: name,
          via: 'router config',
          role: 'task',
          action: 's3:GetObject',
          resource: value,
          grant: value,
        });
        needs.push({
          container: name,
          via: 'router config',
          role: 'task',
          action: 's3:GetBucketLocation',
          resource: bucketArn,
          grant: bucketArn,
        });
      }
    }
  }
  for (const r of input.routed ?? []) {
    const d = r.destination;
    const via = 'routed';
    if (d.kind === 'logGroup')
      logGroup(r.container, via, 'task', d.logGroup, d.region, d.streamPrefix ?? 'routed/', false);
    else if (d.kind === 'firehose') {
      const arn = `arn:${partition}:firehose:${d.region}:${account}:deliverystream/${d.deliveryStream}`;
      needs.push({
        container: r.container,
        via,
        role: 'task',
        action: 'firehose:PutRecordBatch',
        resource: arn,
        grant: arn,
      });
    } else {
      const arn = `arn:${partition}:s3:::${d.bucket}/${d.prefix}*`;
      needs.push({
        container: r.container,
        via,
        role: 'task',
        action: 's3:PutObject',
        resource: arn,
        grant: arn,
      });
    }
  }
  return dedupe(needs);
}

/** Decides every need with the IAM evaluator, and plans the least-privilege fix per role. */
export function checkLogsAccess(input: LogsCheckInput, policyName: string): LogsCheckResult {
  const needs = planLogsNeeds(input);
  const roleArnOf = (role: LogsRoleKind) =>
    str(role === 'task' ? input.taskDefinition.taskRoleArn : input.taskDefinition.executionRoleArn);
  const cells: LogsCheckCell[] = needs.map((n) => {
    const roleArn = roleArnOf(n.role);
    const base = { ...n, roleArn };
    if (n.action === '?') {
      return {
        ...base,
        decision: { decision: 'not-checked', reason: `output plugin ${n.resource} is not checked` },
      };
    }
    if (roleArn === undefined) {
      return {
        ...base,
        decision: {
          decision: 'no-role',
          reason:
            n.role === 'task'
              ? 'the task definition has no taskRoleArn: FireLens outputs ship with the task role, so they cannot write at all'
              : 'the task definition has no executionRoleArn: awslogs ships with the execution role',
        },
      };
    }
    const state = input.roles[roleArn];
    if (state === undefined) {
      return {
        ...base,
        decision: { decision: 'unknown', reason: `role ${roleArn} is in another account; not read` },
      };
    }
    if (state.status === 'missing') {
      return { ...base, decision: { decision: 'not-allowed', reason: `role ${roleArn} does not exist` } };
    }
    if (state.status === 'unreadable') {
      return {
        ...base,
        decision: { decision: 'unknown', reason: state.reason, lackingPermission: state.lackingPermission },
      };
    }
    return {
      ...base,
      decision: evaluateIdentityAccess(state.value, roleRequest(roleArn, n.action, n.resource, input.region)),
    };
  });

  const findings: LogsCheckFinding[] = [];
  for (const c of cells) {
    const d = c.decision;
    if (d.decision === 'allowed' || d.decision === 'not-checked' || d.decision === 'unknown') continue;
    const why = d.decision === 'denied' ? `explicitly denied by ${d.deniedBy}` : d.reason;
    const pitfall =
      c.role === 'task' && c.via !== 'awslogs'
        ? ' (awslogs used the execution role; FireLens ships with the task role)'
        : '';
    findings.push({
      container: c.container,
      role: c.role,
      roleArn: c.roleArn,
      action: c.action,
      resource: c.resource,
      message: `${c.role} role ${c.roleArn ?? '(none)'} cannot ${c.action} on ${c.resource}: ${why}${pitfall}`,
    });
  }
  const fixes: LogsCheckResult['fixes'] = [];
  for (const role of ['task', 'execution'] as const) {
    const roleArn = roleArnOf(role);
    if (!roleArn) continue;
    const gaps = cells.filter(
      (c) => c.role === role && (c.decision.decision === 'not-allowed' || c.decision.decision === 'no-role'),
    );
    if (gaps.length === 0) continue;
    const byActions = new Map<string, Set<string>>();
    for (const g of gaps) {
      const set = byActions.get(g.grant) ?? new Set<string>();
      set.add(g.action);
      byActions.set(g.grant, set);
    }
    const statements = new Map<string, { actions: string[]; resources: string[] }>();
    for (const [grant, actions] of byActions) {
      const key = [...actions].sort().join(',');
      const st = statements.get(key) ?? { actions: [...actions].sort(), resources: [] };
      st.resources.push(grant);
      statements.set(key, st);
    }
    fixes.push({
      roleArn,
      role,
      policyName,
      policy: {
        Version: '2012-10-17',
        Statement: [...statements.values()].map((st, i) => ({
          Sid: `EcsopsLogs${i + 1}`,
          Effect: 'Allow',
          Action: st.actions,
          Resource: st.resources.sort(),
        })),
      },
    });
  }
  // An explicit deny cannot be fixed by adding an allow: the result is findings, with no fix for it.
  const status =
    findings.length > 0
      ? 'findings'
      : cells.some((c) => c.decision.decision === 'unknown')
        ? 'incomplete'
        : 'ok';
  const fixable =
    fixes.length > 0 &&
    cells.every(
      (c) =>
        c.decision.decision !== 'denied' && !(c.decision.decision === 'no-role' && c.roleArn === undefined),
    );
  return { status, cells, findings, fixes, fixable };
}

function dedupe(needs: LogsNeed[]): LogsNeed[] {
  const seen = new Set<string>();
  return needs.filter((n) => {
    const key = `${n.container} ${n.role} ${n.action} ${n.resource}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
