/** Helpers shared by the wrapper adapters: argv inspection, Go-style flag parsing, mapping with collisions. */
import { parse as parseShellWords } from 'shell-quote';
import type { WrapperDescriptor } from './descriptors.js';
import type { Collision, ParameterMetadata, PlannedSecret, SecretSource, ToolName } from './types.js';

/** The last path component of an executable (`/usr/local/bin/chamber` → `chamber`). */
export function basename(arg: string | undefined): string {
  if (arg === undefined) return '';
  const i = arg.lastIndexOf('/');
  return i === -1 ? arg : arg.slice(i + 1);
}

/** True when argv[0] is one of the wrapper's binaries, by basename. */
export function runsWrapper(argv: readonly string[] | undefined, descriptor: WrapperDescriptor): boolean {
  return argv !== undefined && descriptor.binaries.includes(basename(argv[0]));
}

/** Shells whose `-c SCRIPT` form ecsops can inspect. */
const SHELLS = new Set(['sh', 'bash', 'ash', 'dash', 'zsh']);

/** The script of a `sh -c SCRIPT [args…]` argv, with the shell prefix, or undefined. */
export function shellScript(
  argv: readonly string[] | undefined,
): { prefix: string[]; script: string } | undefined {
  if (argv === undefined || !SHELLS.has(basename(argv[0]))) return undefined;
  // Accept `-c` and combined short options ending in c (`-ec`, `-xc`), the forms Dockerfiles use.
  const opt = argv[1];
  if (opt === undefined || !/^-[a-z]*c$/.test(opt)) return undefined;
  const script = argv[2];
  if (script === undefined) return undefined;
  return { prefix: [argv[0] as string, opt], script };
}

/**
 * Shell words of a script that uses no shell feature at all: only words, quotes and escapes. Docker's
 * shell form (`CMD chamber exec svc -- node app.js` -> `sh -c "…"`) then runs exactly these words, so
 * they can be migrated as an argv. Anything else (operators, redirections, `$` or backtick expansion,
 * globs, `~`, comments) returns undefined: ecsops does not guess what a shell would do. A leading
 * `exec` is dropped: it only replaces the shell with the command, which exec form does anyway.
 */
export function plainShellWords(script: string): string[] | undefined {
  if (/[$`]/.test(script)) return undefined;
  const tokens = parseShellWords(script);
  if (tokens.length === 0 || !tokens.every((t): t is string => typeof t === 'string')) return undefined;
  if (tokens.some((t) => t.startsWith('~'))) return undefined;
  const words = tokens[0] === 'exec' ? tokens.slice(1) : tokens;
  return words.length > 0 ? words : undefined;
}

/** Tokenises one script line with a shell-word parser; operators and substitutions become `{op}` markers. */
export function shellTokens(line: string): string[] {
  // `$VAR` stays literal: only the words matter here, not their values.
  return parseShellWords(line, (name) => `$${name}`).map((t) =>
    typeof t === 'string' ? t : 'op' in t ? `{${t.op === 'glob' ? t.pattern : t.op}}` : '{comment}',
  );
}

/** True when a value contains shell/template expansion that is not static in the task definition. */
export function isDynamic(value: string): boolean {
  return /\$|\{\{|`/.test(value);
}

/** A Go `flag` token: `-name`, `--name`, `-name=value`. */
export function goFlag(token: string): { name: string; value: string | undefined } | undefined {
  const m = /^--?([A-Za-z][\w-]*)(?:=(.*))?$/s.exec(token);
  if (m === null) return undefined;
  return { name: m[1] as string, value: m[2] };
}

/** Parses a Go boolean flag value (`-x`, `-x=true`, `-x=0`). */
export function goBool(value: string | undefined): boolean | undefined {
  if (value === undefined) return true;
  if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(value)) return false;
  return undefined;
}

/** A candidate (env name, source) produced by a wrapper's name rule, in the wrapper's application order. */
export interface MappedCandidate {
  name: string;
  source: SecretSource;
  rule: string;
  /** Label used in collision reports (the parameter name). */
  label: string;
}

/**
 * Resolves candidates to one secret per env name. `later-wins` follows the wrapper's documented order;
 * `refuse` is for wrappers whose winner is not deterministic (map iteration, unspecified SSM order).
 */
export function resolveCollisions(
  candidates: readonly MappedCandidate[],
  policy: 'later-wins' | 'refuse',
  reason: string,
): { secrets: PlannedSecret[]; collisions: Collision[]; refusals: string[] } {
  const byName = new Map<string, MappedCandidate[]>();
  for (const c of candidates) {
    const list = byName.get(c.name) ?? [];
    // The same parameter reached twice (overlapping paths) is not a collision.
    if (!list.some((x) => x.label === c.label)) list.push(c);
    else {
      const i = list.findIndex((x) => x.label === c.label);
      list.splice(i, 1);
      list.push(c);
    }
    byName.set(c.name, list);
  }
  const secrets: PlannedSecret[] = [];
  const collisions: Collision[] = [];
  const refusals: string[] = [];
  for (const [name, list] of byName) {
    const winner = list[list.length - 1] as MappedCandidate;
    if (list.length > 1) {
      const losers = list.slice(0, -1).map((c) => c.label);
      if (policy === 'refuse') {
        refusals.push(
          `${[...losers, winner.label].join(' and ')} all map to ${name}; ${reason} — rename one parameter first`,
        );
        continue;
      }
      collisions.push({ name, winner: winner.label, losers, reason });
    }
    secrets.push({ name, source: winner.source, rule: winner.rule });
  }
  return { secrets, collisions, refusals };
}

/**
 * One `ecsops:secrets-source` entry: `tool[+modifier…]:target`, e.g. `chamber:/billing/`,
 * `aws-env+recursive:/app/`, `ssmwrap+onelevel+prefix=APP_:/app`. The modifiers are the naming
 * options `secrets drift` needs to re-expand the target (core/secrets/drift.ts reads them back).
 */
export function recordedSource(tool: ToolName, modifiers: readonly string[], target: string): string {
  return `${[tool, ...modifiers].join('+')}:${target}`;
}

/** An SSM source for a parameter. */
export function ssmSource(parameter: ParameterMetadata): SecretSource {
  return { kind: 'ssm', parameterName: parameter.name, parameter };
}

/** Standard warning: a path expanded now is a snapshot (docs/env-tools.md §0, roadmap #535). */
export function snapshotWarning(tool: ToolName, path: string): string {
  return `${tool}: ${path} was read at container start; native secrets are a snapshot taken now — parameters added or deleted under it later are found by \`ecsops secrets drift\` and applied by \`ecsops secrets sync\``;
}

/** Standard warning: the wrapper started the app when fetching failed; native secrets fail closed. */
export function failClosedWarning(tool: ToolName, detail: string): string {
  return `${tool}: ${detail}; native secrets are fail-closed — a missing or unreadable parameter now stops the task from starting (ResourceInitializationError)`;
}

/** True when a parameter is a direct child of `path` (which may or may not end in `/`). */
export function isDirectChild(name: string, path: string): boolean {
  const prefix = path.endsWith('/') ? path : `${path}/`;
  return name.startsWith(prefix) && name.length > prefix.length && !name.slice(prefix.length).includes('/');
}

/** True when a parameter is under `path` at any depth. */
export function isUnder(name: string, path: string): boolean {
  const prefix = path.endsWith('/') ? path : `${path}/`;
  return name.startsWith(prefix) && name.length > prefix.length;
}

/** Parameters under `path` filtered to what the wrapper's recursion reads (defends against lax catalogues). */
export function listPath(
  params: readonly ParameterMetadata[],
  path: string,
  recursive: boolean,
): ParameterMetadata[] {
  return params
    .filter((p) => (recursive ? isUnder(p.name, path) : isDirectChild(p.name, path)))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
