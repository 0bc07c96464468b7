/**
 * What the task-definition pipeline itself shows (src/commands/task-definition-pipeline.ts): the AWS
 * steps about to be confirmed and the --wait notice. Each command's own words are in its view module.
 */
import type {
  RegisterChange,
  UpdateServiceChange,
  WriteFileChange,
} from '../commands/task-definition-pipeline.js';
import type { Reporter } from './reporter.js';

type PipelineStep = RegisterChange | UpdateServiceChange | WriteFileChange;

/** The AWS steps about to be confirmed. */
export function showApplyPlan(out: Reporter, changes: readonly PipelineStep[]): void {
  if (out.jsonMode) return;
  const steps = changes.map(describeStep);
  out.info(`Plan: ${steps.join(', then ')}. The current revision stays ACTIVE.`);
}

/** One AWS step of a --register run, as the plan and the confirmation question name it. */
export function describeStep(c: PipelineStep): string {
  switch (c.kind) {
    case 'register':
      return `register a new revision of ${c.family}`;
    case 'update-service':
      return `point ${c.cluster}/${c.service} at ${c.taskDefinition ?? 'it'}`;
    case 'write-file':
      return `write ${c.path}${c.inPlace ? ' (keeping a backup)' : ''}`;
  }
}

/** --wait is about to poll. */
export function showWaiting(out: Reporter, service: string, timeoutSeconds: number): void {
  if (out.jsonMode) return;
  out.info(`Waiting up to ${timeoutSeconds} s for ${service} to become stable...`);
}
