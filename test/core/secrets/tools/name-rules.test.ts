// Name-mapping rules of each wrapper, straight from env-tools.md.
import { describe, expect, it } from 'vitest';
import { awsEnvName } from '../../../../src/core/secrets/tools/aws-env.js';
import { chamberEnvName } from '../../../../src/core/secrets/tools/chamber.js';
import { parameterStoreExecEnvName } from '../../../../src/core/secrets/tools/parameter-store-exec.js';
import { findAwsCliSecretLines } from '../../../../src/core/secrets/tools/shell.js';
import { ssmwrapEnvName } from '../../../../src/core/secrets/tools/ssmwrap.js';

describe('chamber (env-tools.md §1 name mapping: upper-case, - → _, . kept)', () => {
  it.each([
    ['db-password', 'DB_PASSWORD'],
    ['a.b', 'A.B'],
    ['APIKEY', 'APIKEY'],
    ['mixed-Case_1', 'MIXED_CASE_1'],
  ])('%s → %s', (key, env) => expect(chamberEnvName(key)).toBe(env));
});

describe('aws-env (env-tools.md §3: strip by length, trim /, / → _, case kept)', () => {
  it.each([
    ['/prod/app/DB_PASSWORD', '/prod/app', 'DB_PASSWORD'],
    ['/prod/app/DB_PASSWORD', '/prod/app/', 'DB_PASSWORD'],
    ['/prod/app/db0/DB_PASSWORD', '/prod/app', 'db0_DB_PASSWORD'],
    ['/prod/app/api_key', '/prod/app/', 'api_key'],
  ])('%s under %s → %s', (name, path, env) => expect(awsEnvName(name, path)).toBe(env));
});

describe('ssmwrap (env-tools.md §4 buildEnvName: prefix verbatim, then upper-case)', () => {
  it.each([
    ['/app/prod/db', '', false, 'DB'],
    ['/app/prod/db', 'app_', false, 'APP_DB'],
    ['/app/prod/db', '', true, 'APP_PROD_DB'],
    ['/app/prod/db-url', 'X', true, 'XAPP_PROD_DB-URL'],
    ['/a/b.c', '', false, 'B.C'],
  ])('%s prefix=%s entirepath=%s → %s', (name, prefix, entire, env) =>
    expect(ssmwrapEnvName(name, prefix, entire)).toBe(env),
  );
});

describe('parameter-store-exec (env-tools.md §6: TrimPrefix, upper-case, [^A-Z0-9_] → _)', () => {
  it.each([
    ['/one/two/three/four', '/one/two', 'THREE_FOUR'],
    ['/one/two/db.url', '/one/two', 'DB_URL'],
    ['/one/two/key2', '/one/two/', 'KEY2'],
    ['/one/two/a-b c', '/one/two', 'A_B_C'],
  ])('%s under %s → %s', (name, path, env) => expect(parameterStoreExecEnvName(name, path)).toBe(env));
});

describe('hand-written shell (env-tools.md §6 custom shell entry points)', () => {
  it.each([
    ['export $(aws ssm get-parameters-by-path --path /x/ --with-decryption)', 1],
    ['V=$(aws --region eu-west-1 ssm get-parameter --name /x --query Parameter.Value --output text)', 1],
    ['aws secretsmanager get-secret-value --secret-id x', 1],
    ['aws s3 cp s3://b/x .\nexec node', 0],
  ])('%s', (script, count) => expect(findAwsCliSecretLines(script)).toHaveLength(count));
});
