/** segmentio/chamber `exec` adapter (docs/env-tools.md §1). */
import {
  failClosedWarning,
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
import type { ParameterQuery, PlannedSecret, ToolAdapter, ToolContainer, ToolParseResult } from './types.js';

/** Parsed `chamber [global flags] exec [--strict [--strict-value V]] [--pristine] svc… -- cmd`. */
export interface ChamberConfig {
  backend: 'ssm' | 'secretsmanager';
  /** Services, lower-cased as chamber looks them up (utils.NormalizeService). */
  services: string[];
  strict: boolean;
  strictValue: string;
  pristine: boolean;
  /** Env names that hold the strict sentinel. */
  sentinels: string[];
}

/** Name rule text used in mapping tables. */
export const CHAMBER_RULE = 'chamber: last segment, upper-case, - → _';

// chamber's global flags that take a value (cmd/root.go); `-r`/`--retries` and `-b`/`--backend` matter.
const GLOBAL_WITH_VALUE = new Set([
  '-r',
  '--retries',
  '-b',
  '--backend',
  '--retry-mode',
  '--backend-s3-bucket',
  '--kms-key-alias',
]);
const GLOBAL_BOOL = new Set(['--verbose', '-v']);
const SERVICE_RE = /^[\w\-.]+(\/[\w\-.]+)*$/;
// chamber skips parameter names that do not match this (store/ssmstore.go).
const PARAM_NAME_RE = /^(\/[\w\-.]+)+$/;

/** The env name chamber exec exports for a key: upper-case, `-` → `_`, `.` kept (environ/environ.go). */
export function chamberEnvName(key: string): string {
  return key.toUpperCase().replaceAll('-', '_');
}

const descriptor = toolDescriptor('chamber');

function isChamberArgv(argv: readonly string[] | undefined): boolean {
  return runsWrapper(argv, descriptor);
}

/** The chamber adapter. */
export const chamber: ToolAdapter<ChamberConfig> = {
  tool: 'chamber',
  descriptor,
  detect(container) {
    return isChamberArgv(container.argv);
  },
  parse(container, ctx): ToolParseResult<ChamberConfig> {
    const argv = container.argv ?? [];
    const refuse = (...reasons: string[]): ToolParseResult<ChamberConfig> => ({
      kind: 'refused',
      tool: 'chamber',
      reasons,
    });
    const env = new Map(container.environment.map((e) => [e.name, e.value]));
    let backendRaw = env.get('CHAMBER_SECRET_BACKEND');
    let i = 1;
    for (; i < argv.length && argv[i] !== 'exec'; i++) {
      const token = argv[i] as string;
      // A non-flag here is another subcommand (`env`, `read`…), reported below.
      if (!token.startsWith('-')) break;
      const eq = token.indexOf('=');
      const flag = token.startsWith('--') && eq > 0 ? token.slice(0, eq) : token;
      if (GLOBAL_WITH_VALUE.has(flag)) {
        const value = flag === token ? argv[++i] : token.slice(eq + 1);
        if (value === undefined) return refuse(`chamber flag ${flag} has no value`);
        if (flag === '-b' || flag === '--backend') backendRaw = value;
      } else if (!GLOBAL_BOOL.has(flag)) {
        return refuse(
          `chamber: unsupported argument "${token}" before exec (only \`chamber … exec\` can be migrated)`,
        );
      }
    }
    if (argv[i] !== 'exec') return refuse('chamber: only `chamber exec … -- cmd` can be migrated');
    const backend = (backendRaw ?? 'ssm').toLowerCase();
    if (backend !== 'ssm' && backend !== 'secretsmanager') {
      return refuse(
        `chamber backend "${backendRaw}" has no native ECS equivalent (only ssm and secretsmanager)`,
      );
    }
    let strict = false;
    let strictValue = 'chamberme';
    let pristine = false;
    const services: string[] = [];
    for (i++; i < argv.length && argv[i] !== '--'; i++) {
      const token = argv[i] as string;
      if (token === '--strict') strict = true;
      else if (token === '--pristine') pristine = true;
      else if (token === '--strict-value' || token.startsWith('--strict-value=')) {
        const value = token === '--strict-value' ? argv[++i] : token.slice('--strict-value='.length);
        if (value === undefined) return refuse('chamber flag --strict-value has no value');
        strictValue = value;
      } else if (token.startsWith('-')) return refuse(`chamber exec: unsupported flag "${token}"`);
      else services.push(token);
    }
    if (argv[i] !== '--') return refuse("chamber exec needs '--' between the services and the command");
    const newArgv = argv.slice(i + 1);
    if (newArgv.length === 0) return refuse('chamber exec has no command after --');
    if (services.length === 0) return refuse('chamber exec names no service');
    const reasons: string[] = [];
    for (const svc of services) {
      if (isDynamic(svc)) {
        reasons.push(`chamber service "${svc}" is not static in the task definition (template or variable)`);
      } else if (svc.includes(':')) {
        reasons.push(
          `chamber service "${svc}" selects a label; SSM labels/versions cannot be used in native secrets (containers-roadmap#859)`,
        );
      } else if (!SERVICE_RE.test(svc)) reasons.push(`chamber service "${svc}" is not a valid service name`);
    }
    if (env.has('CHAMBER_NO_PATHS')) {
      reasons.push(
        'CHAMBER_NO_PATHS selects the pre-path `service.key` layout, which ecsops does not migrate',
      );
    }
    for (const name of ['CHAMBER_AWS_SSM_ENDPOINT', 'CHAMBER_AWS_SECRETS_MANAGER_ENDPOINT']) {
      if (env.has(name)) reasons.push(`${name} points chamber at a custom endpoint; native secrets cannot`);
    }
    const chamberRegion = env.get('CHAMBER_AWS_REGION');
    if (chamberRegion !== undefined && chamberRegion !== ctx.region) {
      reasons.push(
        `CHAMBER_AWS_REGION=${chamberRegion} reads another region than the one ecsops inspects (${ctx.region ?? 'unknown'}); run with --region ${chamberRegion} to migrate it`,
      );
    }
    const sentinels = strict
      ? container.environment.filter((e) => e.value === strictValue).map((e) => e.name)
      : [];
    if (strict) {
      for (const s of sentinels) {
        if (chamberEnvName(s) !== s) reasons.push(`chamber --strict sentinel ${s} is not a normalised name`);
      }
    }
    const lowered = services.map((s) => s.toLowerCase());
    if (backend === 'secretsmanager') {
      if (!strict) {
        reasons.push(
          'chamber -b secretsmanager keeps all keys in one JSON secret per service; its key names are only known by reading the secret value, which ecsops never does. Add `--strict` with `chamberme` sentinels naming the keys, or list the keys as secrets by hand (`arn:…:secret:svc:KEY::`)',
        );
      } else if (lowered.length > 1) {
        reasons.push(
          'chamber -b secretsmanager --strict with several services: which secret holds each sentinel key is only known by reading the values',
        );
      }
    }
    if (reasons.length > 0) return refuse(...reasons);
    const removeEnvironment = [
      ...container.environment.filter((e) => e.name.startsWith('CHAMBER_')).map((e) => e.name),
      ...sentinels,
    ];
    const warnings: string[] = [];
    if (pristine) {
      warnings.push(
        'chamber --pristine started the command with only chamber secrets in its environment; the container will now also see the task definition environment and image ENV',
      );
    }
    const queries: ParameterQuery[] =
      backend === 'ssm'
        ? lowered.map((svc) => ({ kind: 'path', path: `/${svc}/`, recursive: false }))
        : lowered.map((svc) => ({ kind: 'secret', secretId: svc }));
    return {
      kind: 'parsed',
      tool: 'chamber',
      config: {
        backend,
        services: lowered,
        strict,
        strictValue,
        pristine,
        sentinels,
      },
      queries,
      newArgv,
      removeEnvironment,
      warnings,
    };
  },
  plan(config, _container: ToolContainer, catalogue) {
    const refusals: string[] = [];
    const warnings: string[] = [];
    const sources: string[] = [];
    if (config.backend === 'secretsmanager') {
      const svc = config.services[0] as string;
      const secret = catalogue.secret(svc);
      if (secret === undefined) {
        return {
          tool: 'chamber',
          secrets: [],
          collisions: [],
          precedence: 'secret-wins',
          warnings,
          refusals: [`Secrets Manager secret "${svc}" (chamber -b secretsmanager service) does not exist`],
          sources: [],
        };
      }
      // chamber write lower-cases keys (utils.NormalizeKey); the sentinel gives the upper-cased env name.
      const secrets: PlannedSecret[] = config.sentinels.map((name) => ({
        name,
        source: { kind: 'secretsmanager', secretArnOrName: secret.arn, jsonKey: name.toLowerCase() },
        rule: 'chamber -b secretsmanager --strict: JSON key = sentinel name lower-cased (as `chamber write` stores it)',
      }));
      warnings.push(
        `chamber -b secretsmanager: JSON keys of ${svc} were inferred from the --strict sentinels (lower-cased, as chamber write stores them); a key stored with "-" or mixed case fails at task start`,
      );
      return {
        tool: 'chamber',
        secrets,
        collisions: [],
        precedence: 'secret-wins',
        warnings,
        refusals,
        sources: [`chamber:secretsmanager:${svc}`],
      };
    }
    const candidates: MappedCandidate[] = [];
    for (const svc of config.services) {
      const path = `/${svc}/`;
      sources.push(recordedSource('chamber', config.strict ? ['strict'] : [], path));
      const params = listPath(catalogue.byPath(path, false), path, false).filter((p) =>
        PARAM_NAME_RE.test(p.name),
      );
      if (params.length === 0) {
        refusals.push(`chamber service ${svc}: no parameters under ${path}`);
        continue;
      }
      warnings.push(snapshotWarning('chamber', path));
      // Within one service, two keys with one env name are applied in map order: not deterministic.
      const within = resolveCollisions(
        params.map((p) => ({
          name: chamberEnvName(p.name.slice(path.length)),
          source: ssmSource(p),
          rule: CHAMBER_RULE,
          label: p.name,
        })),
        'refuse',
        'chamber applies keys of one service in map order (chamber#281), so the winner is not deterministic',
      );
      refusals.push(...within.refusals);
      for (const s of within.secrets) {
        if (s.source.kind !== 'ssm') continue;
        candidates.push({ name: s.name, source: s.source, rule: s.rule, label: s.source.parameterName });
      }
    }
    // Across services the later one wins (exec.go "overwriting environment variable").
    const resolved = resolveCollisions(
      candidates,
      'later-wins',
      'chamber exec: a later service overwrites an earlier one',
    );
    let secrets = resolved.secrets;
    if (config.strict) {
      const sentinels = new Set(config.sentinels);
      for (const s of config.sentinels) {
        if (!secrets.some((x) => x.name === s)) {
          refusals.push(
            `chamber --strict sentinel ${s} has no parameter under ${config.services.map((v) => `/${v}/`).join(', ')}`,
          );
        }
      }
      secrets = secrets.filter((s) => sentinels.has(s.name));
    } else {
      warnings.push(
        failClosedWarning(
          'chamber',
          'with the SSM backend chamber exec started the command even when a service had no parameters',
        ),
      );
    }
    return {
      tool: 'chamber',
      secrets,
      collisions: resolved.collisions,
      precedence: 'secret-wins',
      warnings,
      refusals,
      sources,
    };
  },
};
