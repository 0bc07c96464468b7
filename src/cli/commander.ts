/**
 * commander, loaded through `require`. It is a CommonJS package: importing it from ESM makes Node scan
 * its source for named exports first, which doubles its load time (~28 ms vs ~14 ms here) on every
 * run, `--help` included. Types still come from the package's own declarations.
 */
import { createRequire } from 'node:module';

type CommanderModule = typeof import('commander');
const commander = createRequire(import.meta.url)('commander') as CommanderModule;

export const { Command, CommanderError, InvalidArgumentError, Option } = commander;
