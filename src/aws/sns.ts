/**
 * Amazon SNS calls ecsops makes: checking alarm topics before CloudWatch is told to use them
 * (CloudWatch does not validate alarm actions), and adding the statement that lets EventBridge
 * publish to them (docs/alarm-events.md). API reference:
 * https://docs.aws.amazon.com/sns/latest/api/API_GetTopicAttributes.html
 */
import type { SNSClient } from '@aws-sdk/client-sns';
import type { TopicState } from '../core/alarm/plan.js';
import type { Pacer } from '../core/pacer.js';
import { AwsError } from '../errors.js';
import { awsCall } from './call.js';
import { sdk } from './sdk.js';

const { GetTopicAttributesCommand, SetTopicAttributesCommand } = sdk('@aws-sdk/client-sns');

/** Reads a topic's existence and encryption key (GetTopicAttributes); never throws for a missing or unreadable topic. */
export async function readTopic(sns: SNSClient, topicArn: string): Promise<TopicState> {
  try {
    const out = await awsCall(
      { operation: 'sns:GetTopicAttributes', iamAction: 'sns:GetTopicAttributes', resource: topicArn },
      () => sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn })),
    );
    const key = out.Attributes?.KmsMasterKeyId;
    return { topicArn, exists: true, kmsMasterKeyId: key ? key : undefined, policy: out.Attributes?.Policy };
  } catch (error) {
    if (error instanceof AwsError && (error.code === 'NotFound' || error.code === 'NotFoundException')) {
      return { topicArn, exists: false };
    }
    if (error instanceof AwsError) return { topicArn, exists: 'unknown', reason: error.message };
    throw error;
  }
}

/**
 * Replaces a topic's access policy (SetTopicAttributes `Policy`). Callers pass the merged policy
 * (core/alarm/events.ts mergeTopicPolicy), so no existing statement is dropped.
 */
export async function setTopicPolicy(
  sns: SNSClient,
  pacer: Pacer,
  topicArn: string,
  policy: string,
): Promise<void> {
  await awsCall(
    { operation: 'sns:SetTopicAttributes', iamAction: 'sns:SetTopicAttributes', resource: topicArn },
    () =>
      pacer.run(() =>
        sns.send(
          new SetTopicAttributesCommand({
            TopicArn: topicArn,
            AttributeName: 'Policy',
            AttributeValue: policy,
          }),
        ),
      ),
  );
}

/** The SNS operations ecsops makes. */
export interface SnsApi {
  readTopic(topicArn: string): Promise<TopicState>;
  setTopicPolicy(pacer: Pacer, topicArn: string, policy: string): Promise<void>;
}

/** Binds the SNS operations to one region's client. */
export function createSnsApi(sns: SNSClient): SnsApi {
  return {
    readTopic: (topicArn) => readTopic(sns, topicArn),
    setTopicPolicy: (pacer, topicArn, policy) => setTopicPolicy(sns, pacer, topicArn, policy),
  };
}
