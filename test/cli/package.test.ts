/** What `npm pack` ships (item 30): the licence, the docs the code cites, the examples; no stray maps. */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

describe('the npm package', () => {
  it('ships LICENSE, README, docs/, examples/, bin and dist, and no source maps', () => {
    const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    const [pack] = JSON.parse(r.stdout) as [{ files: { path: string }[] }];
    const files = pack.files.map((f) => f.path);
    for (const f of ['LICENSE', 'README.md', 'docs/aws-facts.md', 'docs/env-tools.md', 'bin/ecsops.js'])
      expect(files).toContain(f);
    expect(files.some((f) => f.startsWith('examples/'))).toBe(true);
    expect(files.some((f) => f.startsWith('dist/cli/'))).toBe(true);
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
  });

  it('is Apache-2.0 with the licence text, and says where it lives', () => {
    const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as Record<string, unknown>;
    expect(pkg.license).toBe('Apache-2.0');
    expect(readFileSync(`${root}LICENSE`, 'utf8')).toContain('Apache License');
    expect(pkg.repository).toBeTruthy();
    expect(pkg.homepage).toBeTruthy();
  });

  it('code comments cite docs/ in the repo, never notes outside it', () => {
    const r = spawnSync(
      'git',
      [
        'grep',
        '-nE',
        '(shared/reference|[^/]aws-facts\\.md|[^/]env-tools\\.md|aws-facts §|env-tools §)',
        '--',
        'src',
      ],
      {
        cwd: root,
        encoding: 'utf8',
      },
    );
    expect(r.stdout).toBe('');
  });
});
