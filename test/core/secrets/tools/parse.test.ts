// Adapter parse phase: which argv prefix goes, which env goes, which queries are needed.
import { describe, expect, it } from 'vitest';
import { awsEnv } from '../../../../src/core/secrets/tools/aws-env.js';
import { chamber } from '../../../../src/core/secrets/tools/chamber.js';
import { plainShellWords } from '../../../../src/core/secrets/tools/common.js';
import { parameterStoreExec } from '../../../../src/core/secrets/tools/parameter-store-exec.js';
import { findAwsCliSecretLines } from '../../../../src/core/secrets/tools/shell.js';
import { ssmEnv } from '../../../../src/core/secrets/tools/ssm-env.js';
import { ssmwrap } from '../../../../src/core/secrets/tools/ssmwrap.js';
import type { ToolAdapter, ToolContainer } from '../../../../src/core/secrets/tools/types.js';

const ctx = { region: 'eu-west-1' };
function container(argv: string[] | undefined, env: Record<string, string> = {}): ToolContainer {
  return { name: 'app', argv, environment: Object.entries(env).map(([name, value]) => ({ name, value })) };
}

describe('parse: argv rewrite and queries', () => {
  it.each<[string, ToolAdapter<unknown>, ToolContainer, string[] | undefined, unknown[], string[]]>([
    [
      'chamber §1: global flags before exec, rest kept byte for byte',
      chamber as ToolAdapter<unknown>,
      container(
        [
          'chamber',
          '-r',
          '5',
          '--retries=2',
          '--verbose',
          'exec',
          '--pristine',
          'A',
          'b/c',
          '--',
          'sh',
          '-c',
          'x  "$Y"',
        ],
        {
          CHAMBER_RETRIES: '3',
        },
      ),
      ['sh', '-c', 'x  "$Y"'],
      [
        { kind: 'path', path: '/a/', recursive: false },
        { kind: 'path', path: '/b/c/', recursive: false },
      ],
      ['CHAMBER_RETRIES'],
    ],
    [
      'ssm-env §2: Go flags stop at the command',
      ssmEnv as ToolAdapter<unknown>,
      container(['ssm-env', '-with-decryption=true', 'node', '-with-decryption'], {
        A: 'ssm:///a',
        B: 'ssm:///a',
      }),
      ['node', '-with-decryption'],
      [{ kind: 'names', names: ['/a'] }],
      ['A', 'B'],
    ],
    [
      'aws-env §3: only the eval prefix of the script goes',
      awsEnv as ToolAdapter<unknown>,
      container(['bash', '-ec', 'eval $(/usr/bin/aws-env --recursive) && node a | tee log', 'arg0'], {
        AWS_ENV_PATH: '/p',
      }),
      ['bash', '-ec', 'node a | tee log', 'arg0'],
      [{ kind: 'path', path: '/p', recursive: true }],
      ['AWS_ENV_PATH'],
    ],
    [
      'ssmwrap v2 §4: -rule type=env and /**/*',
      ssmwrap as ToolAdapter<unknown>,
      container(['ssmwrap', '-rule', 'type=env,path=/x/**/*', '--', 'app']),
      ['app'],
      [{ kind: 'path', path: '/x/', recursive: true }],
      [],
    ],
    [
      'ssmwrap v1 §4: SSMWRAP_PATHS env with the CLI (recursive default true)',
      ssmwrap as ToolAdapter<unknown>,
      container(['ssmwrap', 'app'], { SSMWRAP_PATHS: '/a', 'SSMWRAP_NO-RECURSIVE': 'true' }),
      ['app'],
      [{ kind: 'path', path: '/a', recursive: false }],
      ['SSMWRAP_PATHS', 'SSMWRAP_NO-RECURSIVE'],
    ],
    [
      'parameter-store-exec §6: wrapper is argv[0] only',
      parameterStoreExec as ToolAdapter<unknown>,
      container(['parameter-store-exec', 'node', 'x'], { PARAMETER_STORE_EXEC_PATH: '/one/two' }),
      ['node', 'x'],
      [{ kind: 'path', path: '/one/two', recursive: true }],
      ['PARAMETER_STORE_EXEC_PATH'],
    ],
  ])('%s', (_name, adapter, c, newArgv, queries, removeEnv) => {
    expect(adapter.detect(c, ctx)).toBe(true);
    const result = adapter.parse(c, ctx);
    if (result.kind !== 'parsed') throw new Error(result.reasons.join('; '));
    expect(result.newArgv).toEqual(newArgv);
    expect(result.queries).toEqual(queries);
    expect(result.removeEnvironment).toEqual(removeEnv);
  });
});

describe('parse: refusals quote what cannot be rewritten', () => {
  it.each<[string, ToolAdapter<unknown>, ToolContainer, string]>([
    [
      'chamber env subcommand §1',
      chamber as ToolAdapter<unknown>,
      container(['chamber', 'env', 'app']),
      'only `chamber exec',
    ],
    [
      'chamber s3 backend §1',
      chamber as ToolAdapter<unknown>,
      container(['chamber', '-b', 's3', 'exec', 'a', '--', 'x']),
      'no native ECS equivalent',
    ],
    [
      'chamber custom endpoint §0',
      chamber as ToolAdapter<unknown>,
      container(['chamber', 'exec', 'a', '--', 'x'], { CHAMBER_AWS_SSM_ENDPOINT: 'http://x' }),
      'custom endpoint',
    ],
    [
      'chamber other region §0',
      chamber as ToolAdapter<unknown>,
      container(['chamber', 'exec', 'a', '--', 'x'], { CHAMBER_AWS_REGION: 'us-east-1' }),
      'CHAMBER_AWS_REGION=us-east-1',
    ],
    [
      'chamber no command §1',
      chamber as ToolAdapter<unknown>,
      container(['chamber', 'exec', 'a', '--']),
      'no command',
    ],
    [
      'ssm-env unknown flag §2',
      ssmEnv as ToolAdapter<unknown>,
      container(['ssm-env', '-V', 'x'], { A: 'ssm:///a' }),
      'unsupported flag "-V"',
    ],
    [
      'aws-env outside a shell §3',
      awsEnv as ToolAdapter<unknown>,
      container(['aws-env'], { AWS_ENV_PATH: '/p' }),
      'must run as',
    ],
    [
      'aws-env source <(…) §3',
      awsEnv as ToolAdapter<unknown>,
      container(['bash', '-c', 'source <(aws-env) && x'], { AWS_ENV_PATH: '/p' }),
      'source <(aws-env) && x',
    ],
    [
      'aws-env without AWS_ENV_PATH §3',
      awsEnv as ToolAdapter<unknown>,
      container(['sh', '-c', 'eval $(aws-env) && x']),
      'AWS_ENV_PATH is not set',
    ],
    [
      'ssmwrap v1+v2 mixed §4',
      ssmwrap as ToolAdapter<unknown>,
      container(['ssmwrap', '-paths', '/a', '-env', 'path=/b/*', 'x']),
      'both v1',
    ],
    [
      'ssmwrap type=file rule §4',
      ssmwrap as ToolAdapter<unknown>,
      container(['ssmwrap', '-rule', 'type=file,path=/a,to=/f', 'x']),
      'writes a file',
    ],
    [
      'ssmwrap SSMWRAP_FILE §4',
      ssmwrap as ToolAdapter<unknown>,
      container(['ssmwrap', 'x'], { SSMWRAP_FILE: 'Name=/x,Path=/f' }),
      'writes a file',
    ],
    [
      'ssmwrap v2 path with a dot §4',
      ssmwrap as ToolAdapter<unknown>,
      container(['ssmwrap', '-env', 'path=/a.b/*', 'x']),
      'not a static, valid',
    ],
    [
      'ssmwrap in-process with other settings §4',
      ssmwrap as ToolAdapter<unknown>,
      container(['/app'], { SSMWRAP_PATHS: '/a', SSMWRAP_PREFIX: 'X' }),
      'in-process options are unknown',
    ],
    [
      'parameter-store-exec dynamic path §6',
      parameterStoreExec as ToolAdapter<unknown>,
      container(['parameter-store-exec', 'x'], { PARAMETER_STORE_EXEC_PATH: '/app/$ENV' }),
      'not a static',
    ],
  ])('%s', (_name, adapter, c, reason) => {
    const result = adapter.parse(c, ctx);
    expect(result.kind).toBe('refused');
    if (result.kind === 'refused') expect(result.reasons.join('\n')).toContain(reason);
  });
});

describe('shell-word parsing (shell-quote)', () => {
  it.each([
    ['chamber exec svc -- node app.js', ['chamber', 'exec', 'svc', '--', 'node', 'app.js']],
    ['exec ssm-env -with-decryption node "my app.js"', ['ssm-env', '-with-decryption', 'node', 'my app.js']],
    ["chamber exec svc -- echo 'a  b' c\\ d", ['chamber', 'exec', 'svc', '--', 'echo', 'a  b', 'c d']],
  ])('plain script %j splits into words', (script, words) => {
    expect(plainShellWords(script)).toEqual(words);
  });

  it.each([
    'chamber exec svc -- node app.js | tee log',
    'chamber exec $SVC -- node',
    'chamber exec svc -- node > out',
    'chamber exec svc -- ls *.js',
    'chamber exec svc -- cat ~/x',
    'cd /app && chamber exec svc -- node',
    'chamber exec svc -- node `which x`',
  ])('a script using shell features is not unwound: %j', (script) => {
    expect(plainShellWords(script)).toBeUndefined();
  });

  it.each([
    ['export $(aws ssm get-parameters-by-path --path /x/ --with-decryption | jq -r .) && node a', true],
    [
      'VALUE=$(aws --region eu-west-1 ssm get-parameter --name /a --with-decryption --query P.V --output text)',
      true,
    ],
    ['"aws" secretsmanager get-secret-value --secret-id x', true],
    ['aws --profile p ssm get-parameters --names a b', true],
    ['aws ssm put-parameter --name a --value b', false],
    ['echo aws ssm', false],
    ['node server.js', false],
  ])('AWS CLI secret reads are found by tokens: %j -> %s', (line, found) => {
    expect(findAwsCliSecretLines(line).length > 0).toBe(found);
  });
});
