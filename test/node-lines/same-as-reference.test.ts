/**
 * On each Node line (scripts/test-node-lines.mjs runs this project with vitest on Node 22 and 24) the
 * CLI says exactly what it says on the line npm runs on (Node 20 on this machine): help through
 * commander for every command path, the version, and a usage error's exit code and JSON document.
 */
import { describe, expect, it } from 'vitest';
import { commandPaths, REFERENCE_NODE, runCommander, runEcsops, words } from './spawn.js';

const sameNode = REFERENCE_NODE === process.execPath;

describe.skipIf(sameNode)(`Node ${process.versions.node} against the reference Node`, () => {
  it('help of every command path (commander) and --version are the same bytes', async () => {
    const cases = [['--version'], ...(await commandPaths()).map((p) => [...words(p), '--help'])];
    for (const args of cases) {
      const [here, there] = await Promise.all([
        runCommander(args),
        runCommander(args, { node: REFERENCE_NODE }),
      ]);
      expect(here, `ecsops ${args.join(' ')}`).toEqual(there);
      expect(here.code).toBe(0);
    }
  });

  it.each([
    [['insihgts', '--json']],
    [['--concurrency', '0', 'insights', 'status', '--json']],
    [['insights', 'enable', '--level', 'bogus', '--all', '--json']],
  ])('usage error %j: exit 2 and the same JSON document', async (args) => {
    const env = { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y' };
    const [here, there] = await Promise.all([
      runEcsops(args, { env }),
      runEcsops(args, { env, node: REFERENCE_NODE }),
    ]);
    expect(here).toEqual(there);
    expect(here.code).toBe(2);
    expect(JSON.parse(here.stdout)).toMatchObject({
      schemaVersion: 1,
      error: { exitCode: 2, type: 'UsageError' },
    });
  });
});
