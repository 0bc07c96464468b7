import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { planTaskHealthAlarm, resolveAlarmOptions } from '../../../src/core/alarm/definition.js';
import { planClusterRule, TOPIC_POLICY_SID } from '../../../src/core/alarm/events.js';
import { planAlarmTags } from '../../../src/core/alarm/plan.js';
import {
  buildTemplate,
  planLogicalId,
  resolveTemplateRefs,
  type TemplateInput,
} from '../../../src/core/alarm/template.js';
import { renderTemplate } from '../../../src/output/template.js';

const TOPIC_A = 'arn:aws:sns:us-east-1:123456789012:alerts';
const TOPIC_B = 'arn:aws:sns:us-east-1:123456789012:pager';
const cluster = {
  region: 'us-east-1',
  clusterName: 'prod',
  clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/prod',
};

function input(): TemplateInput {
  const options = resolveAlarmOptions({
    topics: [TOPIC_A, TOPIC_B],
    missingData: 'breaching',
    threshold: 0.5,
  });
  const alarms = ['web', 'api'].map((serviceName) => {
    const target = { clusterName: 'prod', serviceName };
    return {
      definition: planTaskHealthAlarm(target, options),
      tags: planAlarmTags(target, [{ Key: 'team', Value: 'ops' }]),
    };
  });
  const rule = planClusterRule(cluster, [TOPIC_A, TOPIC_B], { taskStops: true });
  return {
    description: 'test',
    topics: [TOPIC_A, TOPIC_B],
    alarms,
    rules: [
      {
        ruleName: rule.ruleName,
        description: rule.description,
        pattern: rule.pattern,
        ruleArn: rule.ruleArn,
        targets: rule.targets,
      },
    ],
  };
}

describe('buildTemplate', () => {
  it("each AWS::CloudWatch::Alarm's properties are the PutMetricAlarm input (topics as parameters) plus Tags", () => {
    const i = input();
    const template = buildTemplate(i);
    for (const alarm of i.alarms) {
      const resource = template.Resources[planLogicalId('Alarm', alarm.definition.AlarmName)];
      expect(resource?.Type).toBe('AWS::CloudWatch::Alarm');
      const { Tags, ...properties } = resource?.Properties ?? {};
      expect(properties.AlarmActions).toEqual([{ Ref: 'AlarmTopic1Arn' }, { Ref: 'AlarmTopic2Arn' }]);
      expect(resolveTemplateRefs(properties, template.Parameters)).toEqual(alarm.definition);
      expect(Tags).toEqual(alarm.tags);
    }
    expect(template.Parameters).toEqual({
      AlarmTopic1Arn: { Type: 'String', Description: expect.any(String), Default: TOPIC_A },
      AlarmTopic2Arn: { Type: 'String', Description: expect.any(String), Default: TOPIC_B },
    });
  });

  it('the events rule carries the pattern as an object and the topics as Ref targets; the topic statement is in Metadata', () => {
    const template = buildTemplate(input());
    const rule = template.Resources[planLogicalId('EventsRule', 'ecsops-events-prod')];
    expect(rule?.Type).toBe('AWS::Events::Rule');
    expect(rule?.Properties).toMatchObject({
      Name: 'ecsops-events-prod',
      State: 'ENABLED',
      EventPattern: { source: ['aws.ecs'] },
      Targets: [
        { Id: 'ecsops-alerts', Arn: { Ref: 'AlarmTopic1Arn' } },
        { Id: 'ecsops-pager', Arn: { Ref: 'AlarmTopic2Arn' } },
      ],
    });
    const meta = template.Metadata?.['ecsops:TopicPolicyStatements'] as {
      Statements: { Sid: string; Resource: string }[];
    };
    expect(meta.Statements.map((s) => [s.Sid, s.Resource])).toEqual([
      [TOPIC_POLICY_SID, TOPIC_A],
      [TOPIC_POLICY_SID, TOPIC_B],
    ]);
    expect(Object.values(template.Resources).map((r) => r.Type)).not.toContain('AWS::SNS::TopicPolicy');
  });

  it('is deterministic: the same input in another order renders byte-identical JSON and YAML', async () => {
    const a = input();
    const b = { ...input(), alarms: [...input().alarms].reverse() };
    expect(await renderTemplate(buildTemplate(a), 'json')).toBe(
      await renderTemplate(buildTemplate(b), 'json'),
    );
    expect(await renderTemplate(buildTemplate(a), 'yaml')).toBe(
      await renderTemplate(buildTemplate(b), 'yaml'),
    );
  });

  it('YAML parses back to the same template', async () => {
    const template = buildTemplate({ ...input(), dashboards: [{ name: 'ops', body: '{"widgets":[]}' }] });
    expect(parseYaml(await renderTemplate(template, 'yaml'))).toEqual(template);
  });

  it('logical ids are alphanumeric, at most 255 characters, distinct for names that strip alike', () => {
    const a = planLogicalId('Alarm', 'ecsops-task-health-a-b');
    const b = planLogicalId('Alarm', 'ecsops-task-health-a_b');
    expect(a).toMatch(/^[A-Za-z0-9]{1,255}$/);
    expect(a).not.toBe(b);
    expect(planLogicalId('Alarm', 'x'.repeat(255)).length).toBeLessThanOrEqual(255);
  });

  it('no topics: no parameters, no rules, no metadata', () => {
    const options = resolveAlarmOptions({});
    const target = { clusterName: 'prod', serviceName: 'web' };
    const template = buildTemplate({
      description: 'd',
      topics: [],
      alarms: [{ definition: planTaskHealthAlarm(target, options), tags: planAlarmTags(target) }],
    });
    expect(Object.keys(template)).toEqual(['AWSTemplateFormatVersion', 'Description', 'Resources']);
  });
});
