/**
 * The interface every env-loading wrapper adapter implements (docs/env-tools.md §1–6). Two phases keep
 * core pure: `parse` says which parameter metadata it needs, the command fetches it (DescribeParameters,
 * never values), then `plan` maps that metadata to native `secrets` entries.
 */
import type { ParameterMetadata } from '../../ssm-types.js';
import type { EnvironmentEntry } from '../../task-definition/parse.js';
import type { ToolDescriptor, ToolName } from './descriptors.js';

export type { ToolDescriptor, ToolName } from './descriptors.js';
export { TOOL_NAMES } from './descriptors.js';
export type { ParameterMetadata };

/** What the container runs and what it has in its environment, as far as ecsops can see. */
export interface ToolContainer {
  name: string;
  /**
   * The argv the container runs: entryPoint + command after Docker's merge with the image
   * (undefined when it depends on an image ENTRYPOINT/CMD that was not supplied).
   */
  argv: readonly string[] | undefined;
  environment: readonly EnvironmentEntry[];
}

/** Facts about the target account and region; optional wrapper settings are compared against it. */
export interface ToolContext {
  region: string | undefined;
}

/** Metadata of one Secrets Manager secret (DescribeSecret), never its value. */
export interface SecretMetadata {
  name: string;
  arn: string;
}

/** A metadata lookup the command must perform before `plan`. */
export type ParameterQuery =
  | { kind: 'path'; path: string; recursive: boolean }
  | { kind: 'names'; names: string[] }
  | { kind: 'secret'; secretId: string };

/** Answers `ParameterQuery`s from fetched metadata. */
export interface ParameterCatalogue {
  /** Parameters under `path` (children only unless `recursive`). */
  byPath(path: string, recursive: boolean): readonly ParameterMetadata[];
  /** One parameter by exact name, or undefined when it does not exist. */
  byName(name: string): ParameterMetadata | undefined;
  /** One secret by name or ARN, or undefined when it does not exist. */
  secret(secretId: string): SecretMetadata | undefined;
}

/** Where a migrated secret's value lives. */
export type SecretSource =
  | { kind: 'ssm'; parameterName: string; parameter: ParameterMetadata }
  | { kind: 'secretsmanager'; secretArnOrName: string; jsonKey: string | undefined };

/** One native `secrets` entry the wrapper's behaviour translates to. */
export interface PlannedSecret {
  name: string;
  source: SecretSource;
  /** Human-readable name rule, e.g. `chamber: last segment, upper-case, - → _`. */
  rule: string;
}

/** Two or more sources that the wrapper mapped to one env name, and which one won. */
export interface Collision {
  name: string;
  winner: string;
  losers: string[];
  reason: string;
}

/** How a wrapper treats a secret whose name is already in the container's `environment`. */
export type EnvPrecedence = 'secret-wins' | 'env-wins';

/** Result of `parse`: either a refusal or a configuration the adapter can plan with. */
export type ToolParseResult<C> =
  | { kind: 'refused'; tool: ToolName; reasons: string[] }
  | {
      kind: 'parsed';
      tool: ToolName;
      config: C;
      queries: ParameterQuery[];
      /** The argv after removing the wrapper (undefined: argv untouched, e.g. in-process ssmwrap). */
      newArgv: string[] | undefined;
      /** Env entries that are the wrapper's configuration or placeholders. */
      removeEnvironment: string[];
      /** Warnings known at parse time (flags with semantic impact). */
      warnings: string[];
    };

/** Result of `plan`. */
export interface ToolPlan {
  tool: ToolName;
  secrets: PlannedSecret[];
  collisions: Collision[];
  precedence: EnvPrecedence;
  warnings: string[];
  refusals: string[];
  /** Values for the `ecsops:secrets-source` tag, e.g. `chamber:/app-prod/`. */
  sources: string[];
}

/** One wrapper adapter. */
export interface ToolAdapter<C> {
  tool: ToolName;
  /** How the wrapper looks from outside (binaries, env configuration, argv forms); `descriptor.name === tool`. */
  descriptor: ToolDescriptor;
  /** True when the container uses this wrapper (in argv or through its env configuration). */
  detect(container: ToolContainer, ctx: ToolContext): boolean;
  /** Reads the wrapper's configuration from argv and env; refuses what cannot be rewritten with certainty. */
  parse(container: ToolContainer, ctx: ToolContext): ToolParseResult<C>;
  /** Maps fetched metadata to native secrets following the wrapper's own rules. */
  plan(config: C, container: ToolContainer, catalogue: ParameterCatalogue, ctx: ToolContext): ToolPlan;
}
