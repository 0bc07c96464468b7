/** handlename/ssmwrap adapter: v1 (`-paths`, `-names`) and v2 (`-env path=…`) flags, `SSMWRAP_*` env (docs/env-tools.md §4). */
import {
  failClosedWarning,
  goBool,
  goFlag,
  isDynamic,
  listPath,
  type MappedCandidate,
  recordedSource,
  resolveCollisions,
  runsWrapper,
  snapshotWarning,
  ssmSource,
} from './common.js';
import { toolDescriptor } from './descriptors.js';
import type { ParameterQuery, ToolAdapter, ToolContainer, ToolParseResult } from './types.js';

/** One env rule, normalised across v1 and v2. */
export interface SsmwrapRule {
  /** Exact parameter name, or a path read as children / recursively. */
  target: { kind: 'name'; name: string } | { kind: 'path'; path: string; recursive: boolean };
  prefix: string;
  entirePath: boolean;
  /** Where the rule came from, for reports (`-env path=/p/*`, `SSMWRAP_PATHS`). */
  origin: string;
}

/** Parsed ssmwrap configuration. */
export interface SsmwrapConfig {
  version: 'v1' | 'v2' | 'library';
  /** Rules in application order (later writes win). */
  rules: SsmwrapRule[];
}

const V1_FLAGS = new Set([
  'paths',
  'names',
  'prefix',
  'env-prefix',
  'recursive',
  'no-recursive',
  'env-entire-path',
  'no-env',
]);
const V2_PATH_RE = /^\/[-_/a-zA-Z0-9]+((\/\**)?\/\*)?$/;

/** ssmwrap's env name: last segment or whole name (`/` → `_`, leading `_` trimmed), prefix prepended, upper-cased. */
export function ssmwrapEnvName(parameterName: string, prefix: string, entirePath: boolean): string {
  const base = entirePath
    ? parameterName.replaceAll('/', '_').replace(/^_+/, '')
    : (parameterName.split('/').pop() ?? parameterName);
  return `${prefix}${base}`.toUpperCase();
}

// The naming options a re-expansion needs (secrets drift); a prefix a tag cannot hold is left out.
function ssmwrapModifiers(rule: SsmwrapRule): string[] {
  const mods: string[] = [];
  if (rule.entirePath) mods.push('entirepath');
  if (rule.prefix !== '' && /^[\w.\-/@=]+$/.test(rule.prefix)) mods.push(`prefix=${rule.prefix}`);
  return mods;
}

function ruleText(rule: SsmwrapRule, version: SsmwrapConfig['version']): string {
  const naming = rule.entirePath ? 'whole name, / → _' : 'last segment';
  const prefix = rule.prefix === '' ? '' : `, prefix ${rule.prefix}`;
  return `ssmwrap ${version} (${rule.origin}): ${naming}${prefix}, upper-case`;
}

const descriptor = toolDescriptor('ssmwrap');

function isSsmwrapArgv(argv: readonly string[] | undefined): boolean {
  return runsWrapper(argv, descriptor);
}

type Parsed = { rules: SsmwrapRule[]; version: 'v1' | 'v2' } | { refusal: string };

// v2 `-env`/`-rule` value: `path=/p/*,prefix=P,entirepath=true[,type=env]`.
function parseV2Rule(value: string, origin: string, fromRuleFlag: boolean): SsmwrapRule | string {
  const fields = new Map<string, string>();
  for (const part of value.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) return `ssmwrap: cannot read rule "${value}"`;
    fields.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
  }
  const type = fields.get('type');
  if (fromRuleFlag && type !== 'env') {
    return `ssmwrap ${origin}="${value}" writes a file; native secrets cannot write files (containers-roadmap#241) — keep an init container`;
  }
  for (const key of fields.keys()) {
    if (!['path', 'prefix', 'entirepath', 'type', 'to'].includes(key))
      return `ssmwrap: unknown rule field "${key}" in "${value}"`;
  }
  const path = fields.get('path');
  if (path === undefined) return `ssmwrap rule "${value}" has no path`;
  if (isDynamic(path) || !V2_PATH_RE.test(path))
    return `ssmwrap rule path "${path}" is not a static, valid ssmwrap v2 path`;
  const entire = fields.get('entirepath');
  const entirePath = entire === undefined ? false : goBool(entire);
  if (entirePath === undefined) return `ssmwrap: cannot read entirepath=${entire}`;
  const prefix = fields.get('prefix') ?? '';
  if (isDynamic(prefix)) return `ssmwrap prefix "${prefix}" is not static`;
  const target: SsmwrapRule['target'] = path.endsWith('/**/*')
    ? { kind: 'path', path: `${path.slice(0, -'/**/*'.length)}/`, recursive: true }
    : path.endsWith('/*')
      ? { kind: 'path', path: `${path.slice(0, -1)}`, recursive: false }
      : { kind: 'name', name: path };
  return { target, prefix, entirePath, origin: `${origin} ${value}` };
}

// v1: `-paths a,b` (recursive by default on the CLI), `-names a,b`, `-prefix`, `-env-entire-path`.
function v1Rules(
  opts: Map<string, string>,
  recursiveDefault: boolean,
  origin: (flag: string) => string,
): Parsed {
  const prefix = opts.get('prefix') ?? opts.get('env-prefix') ?? '';
  if (isDynamic(prefix)) return { refusal: `ssmwrap prefix "${prefix}" is not static` };
  let recursive = recursiveDefault;
  if (opts.has('recursive')) {
    const v = goBool(opts.get('recursive'));
    if (v === undefined) return { refusal: `ssmwrap: cannot read -recursive=${opts.get('recursive')}` };
    recursive = v;
  }
  if (opts.has('no-recursive') && goBool(opts.get('no-recursive')) !== false) recursive = false;
  const entirePath = opts.has('env-entire-path') && goBool(opts.get('env-entire-path')) !== false;
  if (opts.has('no-env') && goBool(opts.get('no-env')) !== false) {
    return { refusal: 'ssmwrap -no-env exports nothing to the environment; nothing to migrate' };
  }
  const rules: SsmwrapRule[] = [];
  for (const path of (opts.get('paths') ?? '').split(',').filter(Boolean)) {
    if (isDynamic(path) || !path.startsWith('/'))
      return { refusal: `ssmwrap path "${path}" is not a static SSM path` };
    rules.push({
      target: { kind: 'path', path, recursive },
      prefix,
      entirePath,
      origin: `${origin('paths')} ${path}${recursive ? ' (recursive)' : ''}`,
    });
  }
  for (const name of (opts.get('names') ?? '').split(',').filter(Boolean)) {
    if (name.includes(':')) {
      return {
        refusal: `ssmwrap -names ${name} pins a version; native secrets cannot select SSM versions (containers-roadmap#859)`,
      };
    }
    if (isDynamic(name)) return { refusal: `ssmwrap name "${name}" is not static` };
    rules.push({ target: { kind: 'name', name }, prefix, entirePath, origin: `${origin('names')} ${name}` });
  }
  if (rules.length === 0) return { refusal: 'ssmwrap: no -paths or -names configured' };
  return { rules, version: 'v1' };
}

function parseArgvFlags(
  argv: readonly string[],
): { flags: [string, string | undefined][]; rest: string[] } | string {
  const flags: [string, string | undefined][] = [];
  let i = 1;
  const takesValue = new Set(['paths', 'names', 'prefix', 'env-prefix', 'retries', 'env', 'file', 'rule']);
  for (; i < argv.length; i++) {
    const token = argv[i] as string;
    if (token === '--') {
      i++;
      break;
    }
    const flag = goFlag(token);
    if (flag === undefined) break;
    // v1 `-env` is a boolean; v2 `-env` takes a rule. A following `path=` token decides.
    if (flag.name === 'env' && flag.value === undefined && !(argv[i + 1] ?? '').includes('path=')) {
      flags.push(['env', undefined]);
      continue;
    }
    if (takesValue.has(flag.name) && flag.value === undefined) {
      const value = argv[++i];
      if (value === undefined) return `ssmwrap flag ${token} has no value`;
      flags.push([flag.name, value]);
    } else flags.push([flag.name, flag.value]);
  }
  return { flags, rest: argv.slice(i) };
}

function fromArgvAndEnv(container: ToolContainer, inArgv: boolean): Parsed & { newArgv?: string[] } {
  const envConfig = container.environment
    .filter((e) => e.name.startsWith('SSMWRAP_'))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  let flags: [string, string | undefined][] = [];
  let newArgv: string[] | undefined;
  if (inArgv) {
    const parsed = parseArgvFlags(container.argv ?? []);
    if (typeof parsed === 'string') return { refusal: parsed };
    flags = parsed.flags;
    newArgv = parsed.rest;
    if (newArgv.length === 0) return { refusal: 'ssmwrap has no command to run' };
  }
  for (const [name, value] of flags) {
    if (name === 'file') {
      return {
        refusal: `ssmwrap -file ${value ?? ''} writes a file; native secrets cannot write files (containers-roadmap#241) — keep an init container`,
      };
    }
  }
  for (const e of envConfig) {
    if (/^SSMWRAP_FILE(_\d+)?$/.test(e.name)) {
      return {
        refusal: `${e.name} writes a file; native secrets cannot write files (containers-roadmap#241) — keep an init container`,
      };
    }
  }
  const v2Flags = flags.filter(([n, v]) => n === 'rule' || (n === 'env' && v !== undefined));
  const v2Env = envConfig.filter((e) => /^SSMWRAP_(ENV|RULE)(_\d+)?$/.test(e.name));
  const v1Flags = flags.filter(([n]) => V1_FLAGS.has(n));
  const v1Env = envConfig.filter((e) => !/^SSMWRAP_(ENV|RULE|FILE|RETRIES)(_\d+)?$/.test(e.name));
  const known = new Set([...V1_FLAGS, 'env', 'rule', 'file', 'retries']);
  for (const [n] of flags) if (!known.has(n)) return { refusal: `ssmwrap: unsupported flag -${n}` };
  if ((v2Flags.length > 0 || v2Env.length > 0) && (v1Flags.length > 0 || v1Env.length > 0)) {
    return {
      refusal:
        'ssmwrap: both v1 (-paths/-names) and v2 (-env path=…) configuration present; cannot tell which version runs',
    };
  }
  if (v2Flags.length > 0 || v2Env.length > 0) {
    if (v2Flags.length > 0 && v2Env.length > 0) {
      return {
        refusal:
          'ssmwrap: rules given both as flags and as SSMWRAP_ENV/SSMWRAP_RULE env; precedence is not documented',
      };
    }
    const rules: SsmwrapRule[] = [];
    // Application order: -rule, then -env (rule_flags.go); env vars in sorted name order.
    const ordered: [string, string, boolean][] =
      v2Flags.length > 0
        ? [
            ...v2Flags
              .filter(([n]) => n === 'rule')
              .map(([, v]): [string, string, boolean] => ['-rule', v ?? '', true]),
            ...v2Flags
              .filter(([n]) => n === 'env')
              .map(([, v]): [string, string, boolean] => ['-env', v ?? '', false]),
          ]
        : [
            ...v2Env
              .filter((e) => e.name.startsWith('SSMWRAP_RULE'))
              .map((e): [string, string, boolean] => [e.name, e.value, true]),
            ...v2Env
              .filter((e) => e.name.startsWith('SSMWRAP_ENV'))
              .map((e): [string, string, boolean] => [e.name, e.value, false]),
          ];
    for (const [origin, value, isRule] of ordered) {
      const rule = parseV2Rule(value, origin, isRule);
      if (typeof rule === 'string') return { refusal: rule };
      rules.push(rule);
    }
    return { rules, version: 'v2', newArgv };
  }
  const opts = new Map<string, string>();
  // v1 env names are `SSMWRAP_` + flag upper-cased, hyphens kept (`SSMWRAP_NO-RECURSIVE`).
  for (const e of v1Env) opts.set(e.name.slice('SSMWRAP_'.length).toLowerCase(), e.value);
  for (const [n, v] of flags) if (V1_FLAGS.has(n)) opts.set(n, v ?? 'true');
  for (const k of opts.keys())
    if (!V1_FLAGS.has(k) && k !== 'retries')
      return { refusal: `ssmwrap: unsupported setting SSMWRAP_${k.toUpperCase()}` };
  const origin = (flag: string) =>
    flags.some(([n]) => n === flag) ? `-${flag}` : `SSMWRAP_${flag.toUpperCase()}`;
  const v1 = v1Rules(opts, true, origin);
  return 'refusal' in v1 ? v1 : { ...v1, newArgv };
}

/** The ssmwrap adapter (CLI v1/v2, and the Go library reading `SSMWRAP_PATHS`/`SSMWRAP_NAMES` in-process). */
export const ssmwrap: ToolAdapter<SsmwrapConfig> = {
  tool: 'ssmwrap',
  descriptor,
  detect(container) {
    return isSsmwrapArgv(container.argv) || container.environment.some((e) => e.name.startsWith('SSMWRAP_'));
  },
  parse(container): ToolParseResult<SsmwrapConfig> {
    const inArgv = isSsmwrapArgv(container.argv);
    const removeEnvironment = container.environment
      .filter((e) => e.name.startsWith('SSMWRAP_'))
      .map((e) => e.name);
    const warnings: string[] = [];
    let parsed: Parsed & { newArgv?: string[] };
    let version: SsmwrapConfig['version'];
    if (inArgv) {
      parsed = fromArgvAndEnv(container, true);
      version = 'refusal' in parsed ? 'v1' : parsed.version;
    } else {
      // In-process library use (ssmwrap.Export): only SSMWRAP_PATHS / SSMWRAP_NAMES, library default Recursive=false.
      const other = removeEnvironment.filter((n) => n !== 'SSMWRAP_PATHS' && n !== 'SSMWRAP_NAMES');
      if (other.length > 0) {
        return {
          kind: 'refused',
          tool: 'ssmwrap',
          reasons: [
            `${other.join(', ')} set but ssmwrap is not in the command; the application's in-process options are unknown — migrate by hand`,
          ],
        };
      }
      const opts = new Map<string, string>();
      for (const e of container.environment) {
        if (e.name === 'SSMWRAP_PATHS') opts.set('paths', e.value);
        if (e.name === 'SSMWRAP_NAMES') opts.set('names', e.value);
      }
      parsed = v1Rules(opts, false, (flag) => `SSMWRAP_${flag.toUpperCase()}`);
      version = 'library';
      warnings.push(
        'ssmwrap: SSMWRAP_PATHS/SSMWRAP_NAMES are read by the application in-process (ssmwrap.Export, library defaults: not recursive, last segment, upper-case); check the application does not override them',
      );
    }
    if ('refusal' in parsed) return { kind: 'refused', tool: 'ssmwrap', reasons: [parsed.refusal] };
    const queries: ParameterQuery[] = [];
    const names = parsed.rules.flatMap((r) => (r.target.kind === 'name' ? [r.target.name] : []));
    if (names.length > 0) queries.push({ kind: 'names', names: [...new Set(names)] });
    for (const r of parsed.rules) {
      if (r.target.kind === 'path')
        queries.push({ kind: 'path', path: r.target.path, recursive: r.target.recursive });
    }
    return {
      kind: 'parsed',
      tool: 'ssmwrap',
      config: { version, rules: parsed.rules },
      queries,
      newArgv: inArgv ? parsed.newArgv : undefined,
      removeEnvironment,
      warnings,
    };
  },
  plan(config, _container, catalogue) {
    const refusals: string[] = [];
    const warnings: string[] = [];
    const sources: string[] = [];
    const candidates: MappedCandidate[] = [];
    for (const rule of config.rules) {
      const rt = ruleText(rule, config.version);
      if (rule.target.kind === 'name') {
        sources.push(recordedSource('ssmwrap', ssmwrapModifiers(rule), rule.target.name));
        const p = catalogue.byName(rule.target.name);
        if (p === undefined) {
          refusals.push(
            `ssmwrap: parameter ${rule.target.name} does not exist (ssmwrap skipped it silently)`,
          );
          continue;
        }
        candidates.push({
          name: ssmwrapEnvName(p.name, rule.prefix, rule.entirePath),
          source: ssmSource(p),
          rule: rt,
          label: p.name,
        });
        continue;
      }
      const { path, recursive } = rule.target;
      // Tag values allow only letters, digits, spaces and + - = . _ : / @, so no `**`.
      sources.push(
        recordedSource('ssmwrap', [recursive ? 'recursive' : 'onelevel', ...ssmwrapModifiers(rule)], path),
      );
      const params = listPath(catalogue.byPath(path, recursive), path, recursive);
      if (params.length === 0) {
        refusals.push(`ssmwrap: no parameters under ${path}`);
        continue;
      }
      warnings.push(snapshotWarning('ssmwrap', path));
      const mapped = params.map((p) => ({
        name: ssmwrapEnvName(p.name, rule.prefix, rule.entirePath),
        source: ssmSource(p),
        rule: rt,
        label: p.name,
      }));
      // Same leaf name inside one rule: applied in SSM order, not deterministic (ssmwrap#50).
      const within = resolveCollisions(
        mapped,
        'refuse',
        'ssmwrap applies one rule in SSM order (ssmwrap#50); use entirepath=true',
      );
      refusals.push(...within.refusals);
      for (const s of within.secrets) {
        if (s.source.kind === 'ssm')
          candidates.push({ name: s.name, source: s.source, rule: s.rule, label: s.source.parameterName });
      }
    }
    // v2 applies rules in order and later writes win; v1's order between -paths and -names is not documented.
    const resolved = resolveCollisions(
      candidates,
      config.version === 'v2' ? 'later-wins' : 'refuse',
      config.version === 'v2'
        ? 'ssmwrap v2: a later rule overwrites an earlier one'
        : 'ssmwrap v1 does not document which of -paths/-names wins',
    );
    if (config.rules.some((r) => r.target.kind === 'name')) {
      warnings.push(failClosedWarning('ssmwrap', 'missing exact names were skipped silently'));
    }
    return {
      tool: 'ssmwrap',
      secrets: resolved.secrets,
      collisions: resolved.collisions,
      precedence: 'secret-wins',
      warnings,
      refusals: [...refusals, ...resolved.refusals],
      sources,
    };
  },
};
