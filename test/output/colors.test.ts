import { describe, expect, it } from 'vitest';
import { loadColors, plainColors, shouldUseColor } from '../../src/output/colors.js';
import { createReporter } from '../../src/output/reporter.js';

describe('colour decision', () => {
  it.each([
    [{ isTTY: true, noColorFlag: false, json: false, env: {} }, true],
    [{ isTTY: false, noColorFlag: false, json: false, env: {} }, false],
    [{ isTTY: true, noColorFlag: true, json: false, env: {} }, false],
    [{ isTTY: true, noColorFlag: false, json: true, env: {} }, false],
    [{ isTTY: true, noColorFlag: false, json: false, env: { NO_COLOR: '1' } }, false],
    [{ isTTY: true, noColorFlag: false, json: false, env: { NO_COLOR: '' } }, true],
    [{ isTTY: true, noColorFlag: false, json: false, env: { TERM: 'dumb' } }, false],
  ])('%j -> %s', (args, expected) => {
    expect(shouldUseColor(args)).toBe(expected);
  });

  it('plain colours are the identity; terminal colours add ANSI codes', async () => {
    expect(await loadColors(false)).toBe(plainColors);
    expect((await loadColors(true)).green('ok')).toBe('\u001b[32mok\u001b[39m');
  });

  it('--json never colours, whatever colours were passed', async () => {
    let out = '';
    const reporter = createReporter({
      json: true,
      command: 'test',
      colors: await loadColors(true),
      debug: false,
      stdout: { write: (s: string) => (out += s) },
      stderr: { write: () => undefined },
      env: {},
    });
    reporter.warn('x');
    reporter.json({ value: reporter.colors.red('v') });
    expect(out).not.toContain('\u001b[');
    expect(JSON.parse(out)).toEqual({ schemaVersion: 1, command: 'test', value: 'v' });
  });
});
