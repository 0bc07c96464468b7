/**
 * What the task-definition pipeline itself shows (src/commands/task-definition-pipeline.ts): the AWS
 * steps about to be confirmed, the --wait notice, and the common end of a result (writes, registration,
 * service update, rollback). Each command's own words are in its view module.
 */
import type {
  PipelineChange,
  PipelineStep,
  TaskDefinitionPipelineResult,
} from '../commands/task-definition-pipeline.js';
import { reportOutcomes } from './apply.js';
import type { Reporter } from './reporter.js';

/** The AWS steps about to be confirmed. */
export function showApplyPlan(out: Reporter, changes: readonly PipelineStep[]): void {
  if (out.jsonMode) return;
  const steps = changes.map(describeStep);
  out.info(`Plan: ${steps.join(', then ')}. The current revision stays ACTIVE.`);
}

/** One AWS step of a --register run, as the plan and the confirmation question name it. */
export function describeStep(c: PipelineStep): string {
  switch (c.kind) {
    case 'prerequisite':
      return c.label;
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

/**
 * The common end of a pipeline command's human result: the file written, the writes (applied /
 * failed / not started), the registration, the service update with its rollback, and --wait.
 */
export function renderPipelineOutcome(r: TaskDefinitionPipelineResult<unknown>, out: Reporter): void {
  if (r.file?.written)
    out.info(
      `Wrote ${r.file.path}${r.file.written.backup ? ` (original kept as ${r.file.written.backup})` : ''}.`,
    );
  else if (r.file && r.dryRun) out.info(`Dry run: ${r.file.path} was not written.`);
  renderPipelineApply(r, out);
  if (r.registered) out.result(`Registered ${r.registered.taskDefinitionArn}`);
  if (r.service && r.apply?.mode === 'apply') {
    const update = r.apply.outcomes.find((o) => o.change.kind === 'update-service');
    if (update?.status === 'applied') {
      const revision =
        r.alreadyRegistered?.taskDefinition ??
        (r.registered ? r.registered.taskDefinitionArn.split('/').pop() : undefined) ??
        'the new revision';
      out.result(`Updated service ${r.service.cluster}/${r.service.service} to ${revision}`);
      if (r.rollbackCommand) out.result(`Rollback: ${r.rollbackCommand}`);
    } else {
      out.result(`Service ${r.service.cluster}/${r.service.service} was not updated.`);
      if (r.finishCommand) out.info(`Finish with: ${r.finishCommand}`);
    }
  }
  if (r.wait) {
    if (r.wait.stable) out.info('The service is stable.');
    else
      out.error(
        `The service did not become stable: ${r.wait.error ?? 'unknown error'}. Roll back with: ${r.rollbackCommand}`,
      );
  }
}

/** What the apply flow did with a pipeline run's writes (dry run: that nothing was sent). */
export function renderPipelineApply(r: TaskDefinitionPipelineResult<unknown>, out: Reporter): void {
  const apply = r.apply;
  if (!apply) return;
  if (apply.mode === 'dry-run') {
    out.info('Dry run: no changes were sent.');
    return;
  }
  reportOutcomes(out, apply, pipelineChangeLabel, {
    applied: 'applied',
    rerunHint: 'Re-run the same command to finish: what is already in place is found and not written again.',
  });
  if (r.declined) out.info('Declined: nothing was registered; the inline policy put above stays.');
}

/** One write as a person reads it. */
export function pipelineChangeLabel(c: PipelineChange): string {
  switch (c.kind) {
    case 'put-role-policy':
      return `put inline policy ${c.policyName} on ${c.roleArn}`;
    case 'prerequisite':
      return c.label;
    case 'register':
      return `register a new revision of ${c.family}`;
    case 'update-service':
      return `point ${c.cluster}/${c.service} at ${c.taskDefinition ?? 'the new revision'}`;
    case 'write-file':
      return `write ${c.path}`;
  }
}

/** One write in the JSON document. */
export function pipelineChangeJson(c: PipelineChange): Record<string, unknown> {
  switch (c.kind) {
    case 'put-role-policy':
      return { kind: c.kind, roleArn: c.roleArn, policyName: c.policyName, document: c.document };
    case 'prerequisite':
      return { kind: c.action, resource: c.resource };
    case 'register':
      return { kind: c.kind, region: c.region, family: c.family };
    case 'update-service':
      return {
        kind: c.kind,
        cluster: c.cluster,
        service: c.service,
        from: c.from,
        taskDefinition: c.taskDefinition,
      };
    case 'write-file':
      return { kind: c.kind, path: c.path, inPlace: c.inPlace };
  }
}
