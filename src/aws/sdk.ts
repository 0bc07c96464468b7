/**
 * Loads AWS SDK client packages with `require`. Their entry point is CommonJS (`dist-cjs/index.js`):
 * an ESM `import` makes Node lex the whole bundle for named exports first, which here costs ~55 ms
 * more per client (client-ecs: ~110 ms required vs ~165 ms imported). Types still come from `import type`.
 */
import { createRequire } from 'node:module';

const requireCjs = createRequire(import.meta.url);

interface SdkPackages {
  '@aws-sdk/client-cloudwatch': typeof import('@aws-sdk/client-cloudwatch');
  '@aws-sdk/client-cloudwatch-logs': typeof import('@aws-sdk/client-cloudwatch-logs');
  '@aws-sdk/client-ec2': typeof import('@aws-sdk/client-ec2');
  '@aws-sdk/client-ecs': typeof import('@aws-sdk/client-ecs');
  '@aws-sdk/client-eventbridge': typeof import('@aws-sdk/client-eventbridge');
  '@aws-sdk/client-iam': typeof import('@aws-sdk/client-iam');
  '@aws-sdk/client-kms': typeof import('@aws-sdk/client-kms');
  '@aws-sdk/client-organizations': typeof import('@aws-sdk/client-organizations');
  '@aws-sdk/client-pricing': typeof import('@aws-sdk/client-pricing');
  '@aws-sdk/client-s3': typeof import('@aws-sdk/client-s3');
  '@aws-sdk/client-savingsplans': typeof import('@aws-sdk/client-savingsplans');
  '@aws-sdk/client-secrets-manager': typeof import('@aws-sdk/client-secrets-manager');
  '@aws-sdk/client-sns': typeof import('@aws-sdk/client-sns');
  '@aws-sdk/client-ssm': typeof import('@aws-sdk/client-ssm');
  '@aws-sdk/client-sts': typeof import('@aws-sdk/client-sts');
}

/** The SDK package `name`, loaded (once, by Node's module cache) on first call. */
export function sdk<P extends keyof SdkPackages>(name: P): SdkPackages[P] {
  return requireCjs(name) as SdkPackages[P];
}
