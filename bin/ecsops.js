#!/usr/bin/env node
// CommonJS (bin/package.json): Node starts a CommonJS main ~5 ms sooner than an ES module main on
// Node 20, a sixth of its own start-up. The entry is an ES module without top-level await, which
// require() loads on Node >= 20.19 / 22.12; older 22.x lines take the import() path.
'use strict';

let entry;
try {
  entry = require('../dist/cli/entry.js');
} catch (error) {
  if (error?.code !== 'ERR_REQUIRE_ESM') throw error;
}
(entry ? Promise.resolve(entry) : import('../dist/cli/entry.js')).then(({ start }) => start(process.argv));
