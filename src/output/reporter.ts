import { type Colors, plainColors } from './colors.js';
import type { ResultCapture } from './present.js';

/** The minimal stream surface ecsops writes to; process.stdout/stderr and test buffers both fit. */
export interface OutputStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

/** A progress indicator for long multi-target runs. */
export interface Progress {
  tick(label?: string): void;
  done(): void;
}

/**
 * The only writer to stdout/stderr. stdout carries the result (a table, a plan, a document, or exactly
 * one JSON document under --json); everything else goes to stderr.
 */
export interface Reporter {
  readonly jsonMode: boolean;
  readonly colors: Colors;
  /** Writes the command's human result to stdout (suppressed under --json). */
  result(text: string): void;
  /** Writes the one JSON document to stdout, named after the command that runs. Call once per run. */
  json(document: Record<string, unknown>): void;
  /** True once json() has written the command's document. */
  readonly wroteJson: boolean;
  /** Writes raw text to stdout regardless of --json (e.g. a rendered task definition to pipe on). */
  raw(text: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  debug(message: string): void;
  progress(label: string, total: number): Progress;
  /** Set on each account's reporter in a fleet run: present() hands the result here (src/cli/fleet.ts). */
  readonly resultCapture?: ResultCapture | undefined;
}

/** JSON documents carry this so scripts can detect a change of shape. */
export const SCHEMA_VERSION = 1;

export interface ReporterOptions {
  json: boolean;
  /** The command path (`insights enable`) JSON documents carry; main.ts takes it from commander. */
  command?: string | undefined;
  /** True once Ctrl-C was pressed: the JSON document then says `interrupted: true`. */
  interrupted?: (() => boolean) | undefined;
  /** From loadColors(shouldUseColor(...)); plain when omitted. */
  colors?: Colors | undefined;
  debug: boolean;
  stdout: OutputStream;
  stderr: OutputStream;
  env: Record<string, string | undefined>;
}

/** Builds the reporter from the global flags and the streams. */
export function createReporter(options: ReporterOptions): Reporter {
  const { stdout, stderr, json } = options;
  const colors = json ? plainColors : (options.colors ?? plainColors);
  // Animated progress only where a person watches: a TTY outside CI.
  const animate = Boolean(stderr.isTTY) && !options.env.CI && !json;
  let jsonWritten = false;

  return {
    jsonMode: json,
    colors,
    get wroteJson() {
      return jsonWritten;
    },
    result(text) {
      if (!json) stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    },
    json(document) {
      if (jsonWritten) throw new Error('BUG: a command wrote two JSON documents');
      jsonWritten = true;
      const command = options.command ?? '';
      const interrupted = options.interrupted?.() ? { interrupted: true } : {};
      stdout.write(
        `${JSON.stringify({ schemaVersion: SCHEMA_VERSION, command, ...document, ...interrupted }, null, 2)}\n`,
      );
    },
    raw(text) {
      stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    },
    info(message) {
      stderr.write(`${message}\n`);
    },
    warn(message) {
      stderr.write(`${colors.yellow('warning:')} ${message}\n`);
    },
    error(message) {
      stderr.write(`${colors.red('error:')} ${message}\n`);
    },
    debug(message) {
      if (options.debug) stderr.write(`${colors.gray(`debug: ${message}`)}\n`);
    },
    progress(label, total) {
      let count = 0;
      if (!animate) {
        // One plain line for logs and pipes; the count is already in the label.
        if (!json) stderr.write(`${label}...\n`);
        return { tick: () => void count++, done: () => undefined };
      }
      const draw = (suffix = '') =>
        stderr.write(`\r\u001b[2K${label} [${count}/${total}]${suffix ? ` ${suffix}` : ''}`);
      draw();
      return {
        tick(tickLabel) {
          count++;
          draw(tickLabel);
        },
        done() {
          stderr.write('\r\u001b[2K');
        },
      };
    },
  };
}
