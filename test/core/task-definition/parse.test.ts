import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  applyTaskDefinitionEdit,
  renderTaskDefinitionJson,
  taskDefinitionSizeBytes,
} from '../../../src/core/task-definition/edit.js';
import {
  parseTaskDefinition,
  REGISTER_TASK_DEFINITION_FIELDS,
  taskDefinitionObject,
  toRegisterInput,
} from '../../../src/core/task-definition/parse.js';
import { InputError } from '../../../src/errors.js';

const fixture = (name: string) =>
  readFileSync(join(import.meta.dirname, '../../fixtures/task-definition', name), 'utf8');

function inputError(fn: () => unknown): InputError {
  try {
    fn();
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
  throw new Error('expected an InputError');
}

describe('parseTaskDefinition: shapes', () => {
  const container = { name: 'a', image: 'a', entryPoint: ['x'] };
  it.each([
    ['register-input', { family: 'f', containerDefinitions: [container] }],
    ['describe-output', { family: 'f', revision: 2, status: 'ACTIVE', containerDefinitions: [container] }],
    ['describe-wrapped', { taskDefinition: { family: 'f', containerDefinitions: [container] }, tags: [] }],
    ['container-definitions', [container]],
  ])('%s', (shape, doc) => {
    const parsed = parseTaskDefinition(JSON.stringify(doc), 'td.json');
    expect(parsed.shape).toBe(shape);
    expect(parsed.view.containers[0]?.entryPoint).toEqual(['x']);
  });

  it('reads the normalised view of a DescribeTaskDefinition response', () => {
    const parsed = parseTaskDefinition(fixture('describe-wrapped.json'), 'describe-wrapped.json');
    expect(parsed.rootPath).toBe('taskDefinition');
    expect(parsed.tags).toEqual([{ key: 'team', value: 'web' }]);
    expect(parsed.view).toMatchObject({
      family: 'web',
      executionRoleArn: 'arn:aws:iam::123456789012:role/web-exec',
      taskRoleArn: 'arn:aws:iam::123456789012:role/web-task',
    });
    expect(parsed.view.containers[0]).toMatchObject({
      name: 'web',
      path: 'taskDefinition.containerDefinitions[0]',
      command: ['nginx', '-g', 'daemon off;'],
      environment: [{ name: 'A', value: '1' }],
      secrets: [{ name: 'S', valueFrom: '/web/s' }],
      logSecretOptions: [
        { name: 'apikey', valueFrom: 'arn:aws:ssm:eu-west-1:123456789012:parameter/log/key' },
      ],
      credentialsParameter: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:registry-AbCdEf',
    });
  });

  it('reads keys case-insensitively (env-tools.md §0, Terraform quirk)', () => {
    const parsed = parseTaskDefinition(fixture('terraform-rendered.json'), 'tf.json');
    const c = parsed.view.containers[0];
    expect(c?.entryPoint).toEqual(['/bin/sh', '-c', 'eval $(aws-env) && exec ./app']);
    expect(c?.command).toEqual([]);
    expect(c?.environment).toEqual([
      { name: 'AWS_ENV_PATH', value: '/prod/app/' },
      { name: 'MODE', value: 'prod' },
    ]);
  });
});

describe('parseTaskDefinition: errors', () => {
  it('reports line and column of malformed JSON', () => {
    const err = inputError(() => parseTaskDefinition(fixture('malformed-json.txt'), 'malformed.json'));
    expect(err.message).toMatch(/^malformed\.json:4:\d+: malformed JSON/);
  });

  it.each([
    ['bad-type.json', fixture('bad-type.json'), 'containerDefinitions[1].environment[0].value'],
    [
      'entryPoint not an array',
      '{"containerDefinitions":[{"name":"a","entryPoint":"x"}]}',
      'containerDefinitions[0].entryPoint',
    ],
    [
      'command entry',
      '{"containerDefinitions":[{"name":"a","command":["x",1]}]}',
      'containerDefinitions[0].command[1]',
    ],
    [
      'secret without valueFrom',
      '{"containerDefinitions":[{"name":"a","secrets":[{"name":"S"}]}]}',
      'containerDefinitions[0].secrets[0].valueFrom',
    ],
    ['container without name', '[{"image":"x"}]', '[0].name'],
    [
      'wrapped, keeps input spelling',
      '{"taskDefinition":{"ContainerDefinitions":{}}}',
      'taskDefinition.ContainerDefinitions',
    ],
    ['no containers', '{"family":"x"}', 'containerDefinitions'],
    ['not an object', '"x"', '$'],
  ])('%s → InputError at the JSON path', (_name, text, path) => {
    const err = inputError(() => parseTaskDefinition(text, 'td.json'));
    expect(err.path).toBe(path);
  });

  it('accepts an environment entry without value (ECS treats it as empty)', () => {
    const parsed = parseTaskDefinition('[{"name":"a","environment":[{"name":"E"}]}]', 'x.json');
    expect(parsed.view.containers[0]?.environment).toEqual([{ name: 'E', value: '' }]);
  });
});

describe('toRegisterInput (aws-facts.md §4.5)', () => {
  const parsed = parseTaskDefinition(fixture('describe-wrapped.json'), 'describe-wrapped.json');
  const td = taskDefinitionObject(parsed.document, parsed.shape)!;
  const input = toRegisterInput(td, parsed.tags);

  it('drops the read-only fields', () => {
    for (const f of [
      'taskDefinitionArn',
      'revision',
      'status',
      'requiresAttributes',
      'compatibilities',
      'registeredAt',
      'registeredBy',
    ]) {
      expect(input).not.toHaveProperty(f);
    }
  });

  it('keeps every RegisterTaskDefinition field, including ones other tools drop', () => {
    for (const f of [
      'ipcMode',
      'pidMode',
      'runtimePlatform',
      'ephemeralStorage',
      'inferenceAccelerators',
      'proxyConfiguration',
      'enableFaultInjection',
      'volumes',
      'placementConstraints',
      'networkMode',
      'cpu',
      'memory',
    ]) {
      expect(input, f).toHaveProperty(f);
    }
    expect(
      Object.keys(input).every((k) => (REGISTER_TASK_DEFINITION_FIELDS as readonly string[]).includes(k)),
    ).toBe(true);
  });

  it('moves tags in from the wrapper, and omits them when empty', () => {
    expect(input.tags).toEqual([{ key: 'team', value: 'web' }]);
    expect(toRegisterInput(td, [])).not.toHaveProperty('tags');
  });

  it('restores canonical container key spelling for the SDK', () => {
    const out = toRegisterInput(
      {
        family: 'f',
        containerDefinitions: [{ Name: 'a', entrypoint: ['x'], environment: [{ Name: 'A', Value: '1' }] }],
      },
      [],
    );
    expect(out.containerDefinitions).toEqual([
      { name: 'a', entryPoint: ['x'], environment: [{ name: 'A', value: '1' }] },
    ]);
  });
});

describe('applyTaskDefinitionEdit', () => {
  it('keeps shape, key spelling and untouched fields; does not mutate the input', () => {
    const text = fixture('terraform-rendered.json');
    const parsed = parseTaskDefinition(text, 'tf.json');
    const before = structuredClone(parsed.document);
    const doc = applyTaskDefinitionEdit(parsed, {
      containers: [
        {
          index: 0,
          entryPoint: ['/bin/sh', '-c', 'exec ./app'],
          removeEnvironment: ['AWS_ENV_PATH'],
          addSecrets: [{ name: 'K', valueFrom: '/prod/app/K' }],
        },
      ],
    });
    expect(parsed.document).toEqual(before);
    expect(doc).toEqual([
      {
        name: 'app',
        image: 'app:1',
        entrypoint: ['/bin/sh', '-c', 'exec ./app'],
        Command: [],
        environment: [{ Name: 'MODE', Value: 'prod' }],
        secrets: [{ name: 'K', valueFrom: '/prod/app/K' }],
      },
    ]);
    const rendered = renderTaskDefinitionJson(doc, text);
    expect(rendered.endsWith(']\n')).toBe(true);
    expect(rendered.split('\n')[1]).toBe('  {');
  });

  it('measures the size in UTF-8 bytes', () => {
    expect(taskDefinitionSizeBytes({ a: 'é' })).toBe(JSON.stringify({ a: 'é' }).length + 1);
  });
});
