import { defineConfig } from 'vitest/config';

// Three projects: `unit` (pure core + mocked SDK, fast), `integration` (the built CLI against a
// moto server that test/integration/global-setup.ts starts on a free 127.0.0.1 port) and `node-lines`
// (the built CLI's spawn tests again, which scripts/test-node-lines.mjs runs with vitest itself on
// Node 22 and 24, so each spawned `ecsops` runs on that line).
export default defineConfig({
  test: {
    // Silence the SDK's "future versions need Node 22" notice in test output; main.ts does the same.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    projects: [
      {
        test: {
          name: 'unit',
          // test/cli spawns the built binary; give it room on a loaded 2-core machine.
          testTimeout: 20_000,
          include: ['test/{core,commands,cli,aws,output}/**/*.test.ts', 'test/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          globalSetup: ['test/integration/global-setup.ts'],
          // Files share one moto server and reset it, so they run one at a time: `fileParallelism` is a
          // root-only option, which is why package.json runs this project with --no-file-parallelism.
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'node-lines',
          // test/node-lines/moto.test.ts is the only file that uses (and resets) moto, so the files can
          // run in parallel. The rest are the spawn tests whose answers depend on the Node line.
          include: [
            'test/node-lines/**/*.test.ts',
            'test/cli/cli.test.ts',
            'test/cli/startup.test.ts',
            'test/cli/startup-compile-cache.test.ts',
          ],
          environment: 'node',
          globalSetup: ['test/integration/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
