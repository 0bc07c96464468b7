/**
 * The CloudFormation template `alarm create|dashboard create --emit cloudformation` print
 * (docs/alarm-events.md, "CloudFormation"). Alarm properties are the PutMetricAlarm input built by
 * planTaskHealthAlarm, field for field (CloudFormation's AWS::CloudWatch::Alarm spells them the
 * same), with the topic ARNs replaced by parameters: one builder, not a second copy.
 */
import { createHash } from 'node:crypto';
import type { RuleTarget } from './events.js';
import { planPublishStatement } from './events.js';
import type { AlarmTag } from './plan.js';
import type { MetricAlarmDefinition } from './types.js';

/** A CloudFormation intrinsic reference to a parameter. */
export interface Ref {
  Ref: string;
}

/** A template: fixed top-level key order, so equal input renders byte-identical text. */
export interface CfnTemplate {
  AWSTemplateFormatVersion: '2010-09-09';
  Description: string;
  Parameters?: Record<string, { Type: 'String'; Description: string; Default: string }>;
  Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
  Metadata?: Record<string, unknown>;
}

/** One alarm of the template: what PutMetricAlarm would get, and the tags. */
export interface TemplateAlarm {
  definition: MetricAlarmDefinition;
  tags: readonly AlarmTag[];
}

/** One events rule of the template. */
export interface TemplateRule {
  ruleName: string;
  description: string;
  pattern: Record<string, unknown>;
  /** The rule's ARN in this account (for the topic-policy statement in the metadata). */
  ruleArn: string;
  targets: readonly RuleTarget[];
}

/** What the template holds. */
export interface TemplateInput {
  description: string;
  topics: readonly string[];
  alarms: readonly TemplateAlarm[];
  rules?: readonly TemplateRule[];
  dashboards?: readonly { name: string; body: string }[];
}

/** CloudFormation logical ids: alphanumeric, at most 255; a hash keeps two similar names apart. */
export function planLogicalId(kind: string, name: string): string {
  const alnum = name.replace(/[^A-Za-z0-9]/g, '');
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  return `${kind}${alnum.slice(0, 200)}${hash}`;
}

/** The parameter name of the n-th topic (1-based, in the order given). */
export const topicParameterName = (index: number): string => `AlarmTopic${index + 1}Arn`;

/**
 * The AWS::CloudWatch::Alarm properties of a definition: the PutMetricAlarm input itself (same
 * keys, same values) with each topic ARN in an action list replaced by `topicRef(arn)`, plus Tags.
 */
export function renderAlarmProperties(
  alarm: TemplateAlarm,
  topicRef: (arn: string) => unknown,
): Record<string, unknown> {
  const { definition } = alarm;
  return {
    ...definition,
    AlarmActions: definition.AlarmActions.map(topicRef),
    OKActions: definition.OKActions.map(topicRef),
    InsufficientDataActions: definition.InsufficientDataActions.map(topicRef),
    Tags: alarm.tags.map((t) => ({ Key: t.Key, Value: t.Value })),
  };
}

/** Builds the template: parameters for the topics, then alarms, rules and dashboards, each sorted by name. */
export function buildTemplate(input: TemplateInput): CfnTemplate {
  const topics = [...new Set(input.topics)];
  const parameterOf = new Map(topics.map((arn, i) => [arn, topicParameterName(i)]));
  // An action that is not one of the given topics (kept from an existing alarm) stays literal.
  const topicRef = (arn: string): unknown => {
    const name = parameterOf.get(arn);
    return name ? ({ Ref: name } satisfies Ref) : arn;
  };
  const resources: CfnTemplate['Resources'] = {};
  for (const alarm of [...input.alarms].sort((a, b) =>
    a.definition.AlarmName.localeCompare(b.definition.AlarmName),
  )) {
    resources[planLogicalId('Alarm', alarm.definition.AlarmName)] = {
      Type: 'AWS::CloudWatch::Alarm',
      Properties: renderAlarmProperties(alarm, topicRef),
    };
  }
  const rules = [...(input.rules ?? [])].sort((a, b) => a.ruleName.localeCompare(b.ruleName));
  for (const rule of rules) {
    resources[planLogicalId('EventsRule', rule.ruleName)] = {
      Type: 'AWS::Events::Rule',
      Properties: {
        Name: rule.ruleName,
        Description: rule.description,
        EventPattern: rule.pattern,
        State: 'ENABLED',
        Targets: rule.targets.map((t) => ({ Id: t.Id, Arn: topicRef(t.Arn) })),
      },
    };
  }
  for (const dashboard of [...(input.dashboards ?? [])].sort((a, b) => a.name.localeCompare(b.name))) {
    resources[planLogicalId('Dashboard', dashboard.name)] = {
      Type: 'AWS::CloudWatch::Dashboard',
      Properties: { DashboardName: dashboard.name, DashboardBody: dashboard.body },
    };
  }
  const template: CfnTemplate = {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: input.description,
    Resources: resources,
  };
  if (topics.length) {
    template.Parameters = Object.fromEntries(
      topics.map((arn, i) => [
        topicParameterName(i),
        {
          Type: 'String' as const,
          Description: 'SNS topic ARN for alarm and ECS event notifications',
          Default: arn,
        },
      ]),
    );
  }
  // The topic policy is not a resource: AWS::SNS::TopicPolicy replaces a topic's whole policy. The
  // statement EventBridge needs is recorded here for whoever owns the topic.
  const statements = topics.flatMap((arn) => {
    const ruleArns = rules.filter((r) => r.targets.some((t) => t.Arn === arn)).map((r) => r.ruleArn);
    return ruleArns.length ? [planPublishStatement(arn, ruleArns)] : [];
  });
  if (statements.length) {
    template.Metadata = {
      'ecsops:TopicPolicyStatements': {
        Note: 'Each topic policy needs this statement (merged, not replaced) so EventBridge can publish the ECS events.',
        Statements: statements,
      },
    };
  }
  // Conventional key order: version, description, metadata, parameters, resources.
  return {
    AWSTemplateFormatVersion: template.AWSTemplateFormatVersion,
    Description: template.Description,
    ...(template.Metadata ? { Metadata: template.Metadata } : {}),
    ...(template.Parameters ? { Parameters: template.Parameters } : {}),
    Resources: template.Resources,
  };
}

/** Replaces every `{Ref: parameter}` with the parameter's default: the values a stack would resolve. */
export function resolveTemplateRefs(value: unknown, parameters: CfnTemplate['Parameters']): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveTemplateRefs(v, parameters));
  if (value && typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === 'Ref') {
      const name = (value as Ref).Ref;
      return parameters?.[name]?.Default ?? value;
    }
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [
        k,
        resolveTemplateRefs(v, parameters),
      ]),
    );
  }
  return value;
}
