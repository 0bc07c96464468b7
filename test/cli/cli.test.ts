import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp-dir.js';

const BIN = fileURLToPath(new URL('../../bin/ecsops.js', import.meta.url));
const TRACKER = fileURLToPath(new URL('../helpers/track-sdk-loads.mjs', import.meta.url));

function ecsops(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', AWS_EC2_METADATA_DISABLED: 'true', ...env },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(() => {
  if (!existsSync(new URL('../../dist/cli/main.js', import.meta.url))) {
    throw new Error('Run "npm run build" first (npm test does): these tests spawn the built bin/ecsops.js');
  }
});

describe('built CLI', () => {
  it('--help exits 0, lists every command group, and writes help to stdout', () => {
    const r = ecsops(['--help']);
    expect(r.code).toBe(0);
    for (const group of ['insights', 'secrets', 'alarm', 'dashboard']) expect(r.stdout).toContain(group);
  });

  it('--version prints the package version', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    const r = ecsops(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it.each([[['--help']], [['--version']], [['insights', '--help']], [['insights', 'enable', '--help']]])(
    '%j loads no AWS SDK module',
    (args) => {
      const track = join(tempDir('ecsops-track-'), 'loads.txt');
      const r = spawnSync(process.execPath, ['--import', TRACKER, BIN, ...args], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '', ECSOPS_TRACK_FILE: track },
      });
      expect(r.status).toBe(0);
      const loaded = existsSync(track) ? readFileSync(track, 'utf8').trim() : '';
      expect(loaded).toBe('');
    },
  );

  it('--help and non-terminal runs do not load chalk (colour is only loaded for a terminal)', () => {
    const track = join(tempDir('ecsops-track-'), 'loads.txt');
    const hooks = `import { appendFileSync } from 'node:fs'; export async function resolve(s, c, n) { const r = await n(s, c); if (r.url.includes('/chalk/')) appendFileSync(${JSON.stringify(track)}, r.url + '\\n'); return r; }`;
    const register = `data:text/javascript,${encodeURIComponent(`import { register } from 'node:module'; register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(hooks)}));`)}`;
    const env = { PATH: process.env.PATH ?? '', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y' };
    const run = (args: string[]) =>
      spawnSync(process.execPath, ['--import', register, ...args], { encoding: 'utf8', env });
    expect(run([BIN, '--help']).status).toBe(0);
    const status = [
      'insights',
      'status',
      '--region',
      'us-east-1',
      '--endpoint-url',
      'http://127.0.0.1:9',
      '--max-attempts',
      '1',
    ];
    expect(run([BIN, ...status]).status).toBe(3);
    expect(existsSync(track) ? readFileSync(track, 'utf8') : '').toBe('');
    // Positive control: the same hook does see chalk when something imports it.
    run([
      '--input-type=module',
      '-e',
      `await import(${JSON.stringify(new URL('../../src/output/colors.ts', import.meta.url).pathname.replace('/src/output/colors.ts', '/dist/output/colors.js'))}).then((m) => m.loadColors(true))`,
    ]);
    expect(readFileSync(track, 'utf8')).toContain('/chalk/');
  });

  it('the tracker does see SDK loads when a command runs (so the test above can fail)', () => {
    const track = join(tempDir('ecsops-track-'), 'loads.txt');
    spawnSync(
      process.execPath,
      [
        '--import',
        TRACKER,
        BIN,
        'insights',
        'status',
        '--region',
        'us-east-1',
        '--endpoint-url',
        'http://127.0.0.1:9',
        '--max-attempts',
        '1',
      ],
      {
        encoding: 'utf8',
        env: {
          PATH: process.env.PATH ?? '',
          ECSOPS_TRACK_FILE: track,
          AWS_ACCESS_KEY_ID: 'x',
          AWS_SECRET_ACCESS_KEY: 'y',
        },
      },
    );
    const loaded = readFileSync(track, 'utf8');
    expect(loaded).toContain('@aws-sdk/client-ecs');
    expect(loaded).not.toContain('@aws-sdk/client-iam');
  });

  it.each([
    [['insihgts'], /Did you mean insights/],
    [['insights', 'enable', '--level', 'bogus', '--all'], /Allowed choices are enabled, enhanced/],
    [['insights', 'enable'], /Nothing to enable/],
    [['--concurrency', '0', 'insights', 'status'], /whole number from 1 to 64/],
  ])('usage error %j exits 2 with a message on stderr', (args, message) => {
    const r = ecsops(args, { AWS_REGION: 'us-east-1' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });

  it('no region anywhere is a usage error naming the fix', () => {
    const r = ecsops(['insights', 'status'], {
      AWS_CONFIG_FILE: '/dev/null',
      AWS_ACCESS_KEY_ID: 'x',
      AWS_SECRET_ACCESS_KEY: 'y',
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('No AWS region given');
  });

  it('an unreachable endpoint is an AWS error (exit 3) with a hint, and --json still prints one document', () => {
    const r = ecsops(
      ['insights', 'status', '--json', '--max-attempts', '1', '--endpoint-url', 'http://127.0.0.1:9'],
      {
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'x',
        AWS_SECRET_ACCESS_KEY: 'y',
      },
    );
    expect(r.code).toBe(3);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ schemaVersion: 1, command: 'insights status', error: { exitCode: 3 } });
    expect(r.stderr).toContain('Could not reach the AWS endpoint');
  });
});
