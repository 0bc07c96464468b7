/** The scripting contract of the built CLI, offline: usage errors under --json, global flag placement, names. */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../bin/ecsops.js', import.meta.url));

function ecsops(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH ?? '',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      ...env,
    },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('usage errors under --json are one JSON document (item 16)', () => {
  it.each([
    [['--json', 'insights', 'status', '--bogus'], /unknown option '--bogus'/],
    [['--json', 'alarm', 'create', '--threshold', 'x'], /--threshold/],
    [['--json', 'insights', 'enable', '--all', '--level', 'ultra'], /Allowed choices are enabled, enhanced/],
    [['insights', 'status', '--json', '--bogus'], /unknown option/],
  ])('%j', (args, message) => {
    const r = ecsops(args, { AWS_REGION: 'us-east-1' });
    expect(r.code).toBe(2);
    const doc = JSON.parse(r.stdout) as {
      schemaVersion: number;
      error: { exitCode: number; message: string };
    };
    expect(doc.schemaVersion).toBe(1);
    expect(doc.error.exitCode).toBe(2);
    expect(doc.error.message).toMatch(message);
    expect(r.stdout.trim().split('\n}\n')).toHaveLength(1);
  });
});

describe('global options (item 17)', () => {
  it("every subcommand's --help lists the global options, --dry-run and --yes among them", () => {
    for (const args of [
      ['insights', 'enable', '--help'],
      ['alarm', 'delete', '--help'],
      ['secrets', 'check', '--help'],
    ]) {
      const r = ecsops(args);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('Global Options:');
      expect(r.stdout).toMatch(/--endpoint-url/);
    }
    expect(ecsops(['--help']).stdout).toMatch(/--dry-run[\s\S]*--yes/);
  });

  it('--dry-run before the command means the same as after it (no write is attempted)', () => {
    // An unreachable endpoint: the run fails reading, so the point is only that the flag parses at
    // the program level; the moto integration test shows it sends zero writes.
    const before = ecsops(
      [
        '--dry-run',
        '--yes',
        'insights',
        'enable',
        '--all',
        '--max-attempts',
        '1',
        '--endpoint-url',
        'http://127.0.0.1:9',
      ],
      { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y' },
    );
    expect(before.stderr).not.toMatch(/unknown option/);
    expect(before.code).toBe(3);
  });
});

describe('names that cannot be AWS names (item 25)', () => {
  it.each([['evil.example.com#'], ['us-east-1,../x'], ['US-EAST-1']])(
    '--region %j is a usage error',
    (region) => {
      const r = ecsops(['--region', region, 'insights', 'status']);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('not a region name');
      expect(r.stderr).not.toContain('This is a bug');
    },
  );

  it.each([['us-east-1'], ['eu-central-2'], ['us-gov-west-1'], ['cn-northwest-1'], ['all']])(
    '--region %s is accepted',
    (region) => {
      const r = ecsops(['--region', region, 'insights', 'status', '--help']);
      expect(r.code).toBe(0);
    },
  );

  it('--profile that does not exist says so (not "no credentials")', () => {
    const r = ecsops(['--json', '--profile', 'nosuch', 'insights', 'status'], { AWS_REGION: 'us-east-1' });
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout).error.message).toBe(
      'AWS profile "nosuch" does not exist in the AWS config or credentials file.',
    );
  });
});
