/**
 * How `secrets sync` looks: before any confirmation the diff and a table of what the new revision
 * changes (stderr); then the pipeline's result (registration, service update, rollback), shared with
 * `secrets migrate`.
 */
import type { SecretsSyncResult } from '../commands/secrets-sync.js';
import type { SecretsDriftItem, SecretsSyncPlan } from '../core/secrets/drift.js';
import { describeProblems } from '../core/task-definition/validate.js';
import { renderUnifiedDiff } from './diff.js';
import type { ResultView } from './present.js';
import type { Reporter } from './reporter.js';
import { pipelineResultJson, renderCheckFailure } from './secrets-migrate.js';
import { renderTable } from './table.js';
import { renderPipelineApply, renderPipelineOutcome } from './task-definition-pipeline.js';

/** What the preview shows: the source, its text before and after, and the planned sync. */
export interface SyncPreview {
  label: string;
  before: string;
  after: string;
  sync: SecretsSyncPlan;
}

/** The unified diff and the table of changed secrets, on stderr (people only). */
export function showSyncPreview(out: Reporter, preview: SyncPreview): void {
  if (out.jsonMode) return;
  out.info(renderUnifiedDiff(preview.label.split('/').pop() ?? preview.label, preview.before, preview.after));
  out.info(renderItems(preview.sync.applied));
  for (const k of preview.sync.kept) out.warn(keptLine(k));
}

function renderItems(items: readonly SecretsDriftItem[]): string {
  return renderTable(
    ['CHANGE', 'CONTAINER', 'ENV VAR', 'PARAMETER', 'SOURCE'],
    items.map((i) => [
      i.kind === 'added' ? '+ add' : i.kind === 'deleted' ? '- remove' : '~ re-point',
      i.container,
      i.name,
      i.kind === 'changed' ? `${i.previousParameter ?? '?'} -> ${i.parameter}` : i.parameter,
      i.source,
    ]),
  );
}

function keptLine(i: SecretsDriftItem): string {
  const taken = i.conflict === 'secret' ? 'a hand-added secret' : 'an environment entry';
  return `${i.container}: ${i.name} from ${i.parameter} is not added: the name is already ${taken}, which is kept`;
}

/** `secrets sync`: the result, once for people and once as the JSON document. */
export const secretsSyncView: ResultView<SecretsSyncResult> = {
  human(r, out) {
    for (const k of r.sync.kept) if (r.status === 'nothing-to-do') out.warn(keptLine(k));
    switch (r.status) {
      case 'refused':
        for (const x of r.refusals) out.error(x.reason);
        out.info('Nothing was written.');
        return;
      case 'check-failed':
        renderPipelineApply(r, out);
        renderCheckFailure(out, r.recheck ?? r.check, r.nextCommand);
        return;
      case 'nothing-to-do':
        renderPipelineOutcome(r, out);
        if (r.alreadyRegistered) {
          out.info(
            `Already registered: ${r.alreadyRegistered.taskDefinitionArn} has these secrets; nothing to register.`,
          );
          if (r.service?.current)
            out.info(`Service ${r.service.cluster}/${r.service.service} already runs it.`);
        } else out.info('Nothing to do: the secrets match their recorded sources.');
        return;
      default:
        if (r.registerProblems.length) {
          out.warn(
            `RegisterTaskDefinition would reject this output. ${describeProblems(r.registerProblems)}`,
          );
        }
        if (r.stdoutText !== undefined) out.raw(r.stdoutText);
        renderPipelineOutcome(r, out);
    }
  },
  json(r) {
    return {
      source: r.source.label,
      status: r.status === 'migrated' ? 'synced' : r.status,
      dryRun: r.dryRun,
      sources: r.drift.sources,
      secretChanges: r.sync.applied,
      kept: r.sync.kept,
      notes: r.drift.notes,
      ...pipelineResultJson(r),
    };
  },
};
