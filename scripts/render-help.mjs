// Build step after tsc (`npm run build`): records what commander prints for `--version` and for
// `<path> --help` at every command path into dist/help.json, which src/cli/entry.ts serves without
// loading commander. Each text comes from running the built CLI itself with stdout piped (not a
// terminal, so commander wraps at 80 columns) and the pre-rendered answers turned off.
import { spawn } from 'node:child_process';
import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';

const DIST = new URL('../dist/', import.meta.url);
const BIN = fileURLToPath(new URL('../bin/ecsops.js', import.meta.url));
const OUT = new URL('help.json', DIST);

const { createProgram } = await import(new URL('cli/program.js', DIST).href);
const paths = commandPaths(createProgram({ version: '0.0.0', run: async () => 0 }));

const plain = { PATH: process.env.PATH ?? '', ECSOPS_NO_PRERENDERED_HELP: '1' };
const coloured = { ...plain, FORCE_COLOR: '1' };
const jobs = [
  ['--version', () => ecsops(['--version'], plain)],
  ...paths.flatMap((path) => [
    [`help:${path}`, () => ecsops([...words(path), '--help'], plain)],
    [`color:${path}`, () => ecsops([...words(path), '--help'], coloured)],
  ]),
];
const results = new Map();
await inParallel(jobs, availableParallelism(), async ([key, run]) => results.set(key, await run()));

const help = {};
let styled = false;
for (const path of paths) {
  help[path] = results.get(`help:${path}`);
  if (results.get(`color:${path}`) !== help[path]) styled = true;
}
const document = {
  schemaVersion: 1,
  inputs: [...staticGraph(['cli/main.js', 'cli/program.js']), '../package.json'].map((file) => [
    file,
    statSync(new URL(file, DIST)).size,
  ]),
  styled,
  version: results.get('--version'),
  help,
};
// Written last, so the file is newer than everything it was rendered from (entry.ts checks that).
const temp = new URL(`help.json.${process.pid}.tmp`, DIST);
writeFileSync(temp, `${JSON.stringify(document)}\n`);
renameSync(temp, OUT);
console.error(`render-help: ${paths.length} command paths -> dist/help.json`);

/** '' for the program, then 'insights', 'insights status', ... depth first, in registration order. */
function commandPaths(program) {
  const out = [];
  const walk = (command, prefix) => {
    out.push(prefix.join(' '));
    for (const sub of command.commands) walk(sub, [...prefix, sub.name()]);
  };
  walk(program, []);
  return out;
}

function words(path) {
  return path === '' ? [] : path.split(' ');
}

/** stdout of `ecsops ...args`; anything but exit 0 with an empty stderr fails the build. */
function ecsops(args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [];
    const err = [];
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => err.push(d));
    child.on('error', reject);
    child.on('close', (code) => {
      const stderr = Buffer.concat(err).toString();
      if (code !== 0 || stderr)
        reject(new Error(`render-help: ecsops ${args.join(' ')} exited ${code}:\n${stderr}`));
      else resolve(Buffer.concat(out).toString());
    });
  });
}

async function inParallel(items, limit, work) {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: Math.min(limit, queue.length) }, async () => {
      for (let item = queue.shift(); item; item = queue.shift()) await work(item);
    }),
  );
}

/** dist-relative files statically imported from `roots` (dynamic import() is lazy and not followed). */
function staticGraph(roots) {
  const seen = new Set();
  const visit = (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = readFileSync(new URL(file, DIST), 'utf8');
    for (const [, specifier] of source.matchAll(/\b(?:import|export)\s*(?:[\w$*{}\s,]*?\bfrom\s*)?['"](\.{1,2}\/[^'"]+)['"]/g)) {
      const url = new URL(specifier, new URL(file, DIST));
      visit(url.href.slice(DIST.href.length));
    }
  };
  for (const root of roots) visit(root);
  return [...seen].sort();
}
