// `npm run test:node-lines` (the last step of `npm test`): runs the vitest project `node-lines` (the
// built CLI's spawn tests: help, version, exit codes, start-up, and insights against moto) with vitest
// itself running on each other Node.js line, so every spawned `ecsops` runs on that line too.
// Needs `npm run build` first. See scripts/node-lines.mjs for the lines and the cache.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureNodeLine, nodeLines } from './node-lines.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const vitest = fileURLToPath(new URL('../node_modules/vitest/vitest.mjs', import.meta.url));
if (!existsSync(new URL('../dist/cli/entry.js', import.meta.url))) {
  console.error('test:node-lines runs the built CLI: run "npm run build" first (npm test does).');
  process.exit(1);
}

const failed = [];
for (const major of nodeLines()) {
  const node = ensureNodeLine(major);
  console.error(`\nnode-lines: vitest --project node-lines on ${spawnSync(node, ['--version']).stdout}`);
  const r = spawnSync(node, [vitest, 'run', '--project', 'node-lines'], {
    cwd: root,
    stdio: 'inherit',
    env: {
      ...process.env,
      // `node` inside the tests is this line too; the line npm runs on is the reference for comparisons.
      PATH: `${dirname(node)}${delimiter}${process.env.PATH ?? ''}`,
      ECSOPS_REFERENCE_NODE: process.execPath,
    },
  });
  if (r.status !== 0) failed.push(major);
}
if (failed.length) {
  console.error(`node-lines: failed on Node ${failed.join(', ')}`);
  process.exit(1);
}
