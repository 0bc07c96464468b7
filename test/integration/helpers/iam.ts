/** IAM documents the integration tests seed into moto. */

/** The trust policy of an ECS task or execution role: ecs-tasks.amazonaws.com may assume it. */
export const ECS_TASKS_TRUST_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' },
  ],
});
