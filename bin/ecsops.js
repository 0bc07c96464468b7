#!/usr/bin/env node
import { start } from '../dist/cli/entry.js';

await start(process.argv);
