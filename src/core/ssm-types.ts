/** Metadata of one SSM parameter, as DescribeParameters returns it. Never carries a value. */
export interface ParameterMetadata {
  /** The name exactly as SSM stores it: `/app/prod/DB_URL` (hierarchical) or `legacy.name` (flat). */
  name: string;
  /** `String`, `StringList` or `SecureString`. */
  type: string;
  /** For SecureString: the KMS key as SSM reports it (`alias/aws/ssm`, an alias, a key id or ARN). */
  keyId?: string | undefined;
  /** Present on AWS (moto omits it); callers build it from partition, region, account when absent. */
  arn?: string | undefined;
  version?: number | undefined;
}
