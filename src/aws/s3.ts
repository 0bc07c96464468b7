/**
 * Amazon S3 calls of `logs migrate --config-s3`: one object's metadata, and the upload of a Fluent Bit
 * configuration file. API reference:
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html and
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html
 */
import { createHash } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import { awsCall, toAwsError } from './call.js';
import { sdk } from './sdk.js';

const { HeadObjectCommand, PutObjectCommand } = sdk('@aws-sdk/client-s3');

/** User metadata ecsops writes with each object: the SHA-256 of the body, so a re-run can compare. */
export const CONTENT_SHA256_METADATA = 'ecsops-sha256';

/** The SHA-256 (hex) of a body, as stored in the object's `ecsops-sha256` metadata. */
export function contentSha256(body: string): string {
  return createHash('sha256').update(body, 'utf8').digest('hex');
}

/** An object's state: missing, or present with the SHA-256 ecsops recorded (undefined when not ecsops'). */
export type ObjectState = { exists: false } | { exists: true; sha256: string | undefined };

async function readObjectState(s3: S3Client, bucket: string, key: string): Promise<ObjectState> {
  const meta = { operation: 's3:HeadObject', iamAction: 's3:GetObject', resource: `s3://${bucket}/${key}` };
  try {
    const out = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return { exists: true, sha256: out.Metadata?.[CONTENT_SHA256_METADATA] };
  } catch (error) {
    // HeadObject has no body: a missing key is a bare 404, named NotFound by the SDK.
    const name = (error as { name?: string }).name;
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    if (name === 'NotFound' || name === 'NoSuchKey' || status === 404) return { exists: false };
    throw toAwsError(meta, error);
  }
}

async function putTextObject(s3: S3Client, bucket: string, key: string, body: string): Promise<void> {
  await awsCall(
    { operation: 's3:PutObject', iamAction: 's3:PutObject', resource: `s3://${bucket}/${key}` },
    () =>
      s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: body,
          ContentType: 'text/plain; charset=utf-8',
          Metadata: { [CONTENT_SHA256_METADATA]: contentSha256(body) },
        }),
      ),
  );
}

/** The S3 operations ecsops makes. */
export interface S3Api {
  readObjectState(bucket: string, key: string): Promise<ObjectState>;
  putTextObject(bucket: string, key: string, body: string): Promise<void>;
}

/** Binds the S3 operations to a client. */
export function createS3Api(s3: S3Client): S3Api {
  return {
    readObjectState: (bucket, key) => readObjectState(s3, bucket, key),
    putTextObject: (bucket, key, body) => putTextObject(s3, bucket, key, body),
  };
}
