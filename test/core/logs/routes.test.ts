import { describe, expect, it } from 'vitest';
import { renderFluentBitConfig } from '../../../src/core/logs/fluent-bit-config.js';
import { strftimeToRegex } from '../../../src/core/logs/migrate.js';
import { parseRoutes } from '../../../src/core/logs/routes.js';

const AUDIT_ERROR_SPLIT = `
rules:
  - container: app
    match: '^AUDIT\\s'
    logGroup: /ecs/app/audit
    streamPrefix: audit/
  - container: app
    key: level
    match: '^(error|fatal)$'
    logGroup: /ecs/app/errors
  - container: app
    match: 'ERROR'
    logGroup: /ecs/app/errors
`;

describe('routes file', () => {
  it('parses YAML and JSON alike', () => {
    const yaml = parseRoutes(AUDIT_ERROR_SPLIT);
    expect(yaml.ok).toBe(true);
    const json = parseRoutes(
      JSON.stringify({ rules: [{ container: 'a', match: 'x', firehose: 'stream-1' }] }),
    );
    expect(json).toEqual({
      ok: true,
      rules: [
        {
          index: 0,
          container: 'a',
          match: 'x',
          key: undefined,
          destination: { kind: 'firehose', deliveryStream: 'stream-1', region: undefined },
        },
      ],
    });
  });

  it.each([
    [
      'an invalid regex',
      '[{"container":"a","match":"(unclosed","logGroup":"g"}]',
      'rules[0].match',
      'invalid regular expression',
    ],
    ['a blank in the regex', '[{"container":"a","match":"a b","logGroup":"g"}]', 'rules[0].match', 'blank'],
    [
      'two destinations',
      '[{"container":"a","match":"x","logGroup":"g","firehose":"f"}]',
      'rules[0]',
      'exactly one destination',
    ],
    ['no container', '[{"match":"x","logGroup":"g"}]', 'rules[0].container', 'required'],
    [
      'an unknown field',
      '[{"container":"a","match":"x","logGroup":"g","colour":"red"}]',
      'rules[0].colour',
      'unknown field',
    ],
    ['a bad bucket', '[{"container":"a","match":"x","s3":"s3://Bad_Bucket/p"}]', 'rules[0].s3', 'S3 bucket'],
    ['no rules', '{"rules":[]}', 'rules', 'non-empty'],
    ['not YAML', '{', '', 'not JSON or YAML'],
  ])('rejects %s with its field path', (_name, text, path, message) => {
    const parsed = parseRoutes(text);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.problems.find((p) => p.path === path)?.message).toContain(message);
  });

  it('generates one rewrite_tag per rule and one output per destination (audit/error split)', () => {
    const parsed = parseRoutes(AUDIT_ERROR_SPLIT);
    if (!parsed.ok) throw new Error('fixture');
    const config = renderFluentBitConfig({
      rules: parsed.rules,
      multiline: [],
      region: 'us-east-1',
      keepMetadata: false,
    });
    expect(config.main.match(/Name\s+rewrite_tag/g)).toHaveLength(3);
    expect(config.main.match(/Name\s+cloudwatch_logs/g)).toHaveLength(2);
    expect(config.destinations.map((d) => d.rules)).toEqual([[0], [1, 2]]);
    expect(config.main).toContain('Rule                  $log ^AUDIT\\s ecsops.d1.$TAG false');
    expect(config.main).toContain('Rule                  $level ^(error|fatal)$ ecsops.d2.$TAG false');
    expect(config.main).toContain('Match                 app-firelens*');
    expect(config.main).toContain('log_group_name    /ecs/app/audit');
    expect(config.main).toMatch(/Grace\s+30/);
    expect(config.main).toMatch(/Parsers_File\s+\/fluent-bit\/parsers\/parsers\.conf/);
    expect(config.main).toMatch(/log_key\s+log/);
    // Deterministic: an unchanged routes file gives the same bytes (so the S3 upload is skipped).
    expect(
      renderFluentBitConfig({ rules: parsed.rules, multiline: [], region: 'us-east-1', keepMetadata: false })
        .main,
    ).toBe(config.main);
  });

  it('--keep-metadata drops log_key', () => {
    const parsed = parseRoutes('[{"container":"a","match":"x","s3":"s3://bucket-1/logs/"}]');
    if (!parsed.ok) throw new Error('fixture');
    const config = renderFluentBitConfig({
      rules: parsed.rules,
      multiline: [],
      region: 'eu-west-1',
      keepMetadata: true,
    });
    expect(config.main).not.toContain('log_key');
    expect(config.main).toContain('s3_key_format   /logs/$TAG/');
  });
});

describe('awslogs-datetime-format translation', () => {
  it.each([
    ['%Y-%m-%d %H:%M:%S', '^\\d{4}-\\d{2}-\\d{2}\\s\\d{2}:\\d{2}:\\d{2}', '2024-05-01 10:00:00 started'],
    [
      '[%b %d, %Y %H:%M:%S]',
      '^\\[[A-Z][a-z]{2}\\s\\d{2},\\s\\d{4}\\s\\d{2}:\\d{2}:\\d{2}\\]',
      '[May 01, 2024 10:00:00] x',
    ],
  ])('%s', (format, regex, line) => {
    expect(strftimeToRegex(format)).toBe(regex);
    expect(new RegExp(regex).test(line)).toBe(true);
    expect(new RegExp(regex).test(`    at ${line}`)).toBe(false);
  });
  it('refuses a token it cannot translate', () => {
    expect(strftimeToRegex('%Q')).toEqual({ error: 'strftime token %Q is not translated' });
  });
});
