/**
 * Error classes and the exit-code table. Only src/cli/main.ts turns these into a message and an
 * exit code; everything else throws or returns them.
 */

/** Stable, documented exit codes (README "Exit codes"). */
export const ExitCode = {
  ok: 0,
  findings: 1,
  usage: 2,
  aws: 3,
  partial: 4,
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Base class: every ecsops error carries an exit code and an optional hint for the user. */
export class EcsopsError extends Error {
  readonly exitCode: ExitCode;
  readonly hint: string | undefined;
  constructor(message: string, exitCode: ExitCode, hint?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.exitCode = exitCode;
    this.hint = hint;
  }
}

/** Bad flags or flag combinations (exit 2). */
export class UsageError extends EcsopsError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.usage, hint);
  }
}

/** Bad input data: a malformed file, an unknown cluster/service/family, a missing parameter (exit 2). */
export class InputError extends EcsopsError {
  /** JSON path of the offending field, when the input was a document (e.g. `containerDefinitions[1].secrets[0].valueFrom`). */
  readonly path: string | undefined;
  constructor(message: string, options?: { path?: string; hint?: string }) {
    super(options?.path ? `${message} (at ${options.path})` : message, ExitCode.usage, options?.hint);
    this.path = options?.path;
  }
}

/** A named cluster, service or task definition does not exist (exit 2): the user's input is wrong. */
export class ResourceNotFoundError extends InputError {
  readonly resourceType: string;
  readonly resource: string;
  constructor(resourceType: string, resource: string, hint?: string) {
    super(`${resourceType} not found: ${resource}`, hint ? { hint } : undefined);
    this.resourceType = resourceType;
    this.resource = resource;
  }
}

/** An AWS call failed after retries (exit 3). Names the operation, the IAM action and the resource. */
export class AwsError extends EcsopsError {
  readonly operation: string;
  readonly iamAction: string;
  readonly resource: string | undefined;
  readonly code: string;
  constructor(args: {
    operation: string;
    iamAction: string;
    resource?: string;
    code: string;
    message: string;
    hint?: string;
    cause?: unknown;
  }) {
    const where = args.resource ? ` on ${args.resource}` : '';
    super(`${args.operation}${where} failed: ${args.code}: ${args.message}`, ExitCode.aws, args.hint, {
      cause: args.cause,
    });
    this.operation = args.operation;
    this.iamAction = args.iamAction;
    this.resource = args.resource;
    this.code = args.code;
  }
}

/** Some targets of a multi-target apply failed (exit 4). The command has already reported each one. */
export class PartialApplyError extends EcsopsError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.partial, hint);
  }
}

/** The user declined the confirmation prompt or pressed Ctrl-C (exit 130 for Ctrl-C). */
export class InterruptedError extends EcsopsError {
  constructor(message = 'Interrupted') {
    super(message, ExitCode.interrupted);
  }
}
