/**
 * The layering lint rules can fail: a probe file that writes to process.stdout is an error in
 * src/commands/ and src/cli/ (lint/no-process-write.grit), and allowed in src/output/.
 */
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const biome = fileURLToPath(new URL('../../node_modules/@biomejs/biome/bin/biome', import.meta.url));

function lintProbe(dir: string, code: string) {
  const path = `${dir}/zz-lint-probe-${process.pid}.ts`;
  writeFileSync(`${root}${path}`, code);
  try {
    const r = spawnSync(process.execPath, [biome, 'lint', path], { cwd: root, encoding: 'utf8' });
    return { code: r.status, output: `${r.stdout}${r.stderr}` };
  } finally {
    rmSync(`${root}${path}`, { force: true });
  }
}

describe('layering lint', () => {
  it.each(['src/commands', 'src/cli', 'src/core'])('%s may not write to process.stdout/stderr', (dir) => {
    const out = lintProbe(dir, "export const f = () => process.stderr.write('x');\n");
    expect(out.code).not.toBe(0);
    expect(out.output).toContain('Only src/output/ writes to stdout/stderr');
  });

  it('src/output may', () => {
    const out = lintProbe('src/output', "export const f = () => process.stderr.write('x');\n");
    expect(out.output).not.toContain('Only src/output/ writes to stdout/stderr');
  });

  it('console.* is banned outside src/output as before', () => {
    const out = lintProbe('src/commands', "export const f = () => console.log('x');\n");
    expect(out.code).not.toBe(0);
  });
});
