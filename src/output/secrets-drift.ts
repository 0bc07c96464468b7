/**
 * `ecsops secrets drift` results: per task definition its recorded sources and a table of what drifted
 * (each env var and parameter), what could not be compared, and the command that fixes it.
 */
import type { SecretsDriftResult, TaskDefinitionDrift } from '../commands/secrets-drift.js';
import type { SecretsDriftItem } from '../core/secrets/drift.js';
import type { Colors } from './colors.js';
import type { ResultView } from './present.js';
import { renderTable } from './table.js';

/** The human and JSON renderers of `secrets drift`. */
export const secretsDriftView: ResultView<SecretsDriftResult> = {
  human(result, out) {
    for (const t of result.taskDefinitions) out.result(renderTaskDefinition(t, result.cluster, out.colors));
    out.info(summaryLine(result));
  },
  json(result) {
    return {
      status: statusOf(result),
      ...(result.cluster === undefined ? {} : { cluster: result.cluster }),
      taskDefinitions: result.taskDefinitions.map((t) => ({
        taskDefinition: t.label,
        taskDefinitionArn: t.taskDefinitionArn ?? null,
        region: t.region,
        account: t.account ?? null,
        services: t.services,
        status: targetStatus(t),
        sources: t.drift?.sources ?? [],
        drift: t.drift?.items ?? [],
        problems: t.drift?.problems ?? [],
        notes: t.drift?.notes ?? [],
        ...(t.error === undefined ? {} : { error: t.error }),
        ...(targetStatus(t) === 'drift' ? { fixCommand: syncCommand(t, result.cluster) } : {}),
      })),
      counts: counts(result),
    };
  },
};

type TargetStatus = 'clean' | 'drift' | 'not-migrated' | 'incomplete' | 'error';

function targetStatus(t: TaskDefinitionDrift): TargetStatus {
  if (t.error !== undefined || t.drift === undefined) return 'error';
  if (t.drift.items.length > 0) return 'drift';
  if (t.drift.problems.length > 0) return 'incomplete';
  return t.drift.tagged ? 'clean' : 'not-migrated';
}

function statusOf(result: SecretsDriftResult): 'clean' | 'drift' | 'incomplete' {
  const statuses = result.taskDefinitions.map(targetStatus);
  if (statuses.includes('drift')) return 'drift';
  if (statuses.includes('error') || statuses.includes('incomplete')) return 'incomplete';
  return 'clean';
}

function counts(result: SecretsDriftResult): Record<string, number> {
  const items = result.taskDefinitions.flatMap((t) => t.drift?.items ?? []);
  return {
    taskDefinitions: result.taskDefinitions.length,
    drifted: result.taskDefinitions.filter((t) => targetStatus(t) === 'drift').length,
    added: items.filter((i) => i.kind === 'added').length,
    deleted: items.filter((i) => i.kind === 'deleted').length,
    changed: items.filter((i) => i.kind === 'changed').length,
  };
}

// With one service on the revision, the fix also points that service at the synced revision.
function syncCommand(t: TaskDefinitionDrift, cluster: string | undefined): string {
  const base = `ecsops --region ${t.region} secrets sync --task-def ${t.label} --register`;
  const [service, ...more] = t.services;
  return cluster !== undefined && service !== undefined && more.length === 0
    ? `${base} --update-service --cluster ${cluster} --service ${service}`
    : base;
}

const KIND_TEXT: Record<SecretsDriftItem['kind'], string> = {
  added: 'added',
  deleted: 'deleted',
  changed: 'changed',
};

function itemNote(item: SecretsDriftItem): string {
  if (item.kind === 'deleted')
    return 'parameter gone: the next task start fails (ResourceInitializationError)';
  if (item.kind === 'changed') return `was ${item.previousParameter ?? '?'}`;
  if (item.conflict === 'secret') return 'name taken by a hand-added secret (kept by sync)';
  if (item.conflict === 'environment') return 'name taken by an environment entry (kept by sync)';
  return 'new under the path: tasks do not get it';
}

function renderTaskDefinition(t: TaskDefinitionDrift, cluster: string | undefined, colors: Colors): string {
  const services = t.services.length > 0 ? ` (services: ${t.services.join(', ')})` : '';
  const lines = [`${t.label}${services}`];
  if (t.error !== undefined || t.drift === undefined) {
    lines.push(`  ${colors.red('could not be read')}: ${t.error ?? 'unknown error'}`);
    return `${lines.join('\n')}\n`;
  }
  const d = t.drift;
  if (!d.tagged) {
    lines.push('  no ecsops:secrets-source tag: not migrated by ecsops, nothing to compare');
    return `${lines.join('\n')}\n`;
  }
  lines.push(`  sources: ${d.sources.join(' ')}`);
  if (d.items.length === 0 && d.problems.length === 0) lines.push(`  ${colors.green('no drift')}`);
  if (d.items.length > 0) {
    const table = renderTable(
      ['DRIFT', 'CONTAINER', 'ENV VAR', 'PARAMETER', 'SOURCE', 'NOTE'],
      d.items.map((i) => [
        i.kind === 'deleted' ? colors.red(KIND_TEXT[i.kind]) : colors.yellow(KIND_TEXT[i.kind]),
        i.container,
        i.name,
        i.parameter,
        i.source,
        itemNote(i),
      ]),
    );
    lines.push(...table.split('\n').map((l) => `  ${l}`));
    lines.push(`  fix: ${syncCommand(t, cluster)}`);
    if (t.services.length > 1) {
      lines.push(`  then point each service at the new revision: ${t.services.join(', ')}`);
    }
  }
  for (const p of d.problems) lines.push(`  ${colors.yellow('not compared')}: ${p}`);
  for (const n of d.notes) lines.push(`  note: ${n}`);
  return `${lines.join('\n')}\n`;
}

function summaryLine(result: SecretsDriftResult): string {
  const c = counts(result);
  if (c.drifted === 0) {
    return statusOf(result) === 'incomplete'
      ? `No drift found, but some definitions could not be compared fully (see above).`
      : `No drift: ${c.taskDefinitions} task definition(s) match their recorded sources.`;
  }
  return `Drift in ${c.drifted} of ${c.taskDefinitions} task definition(s): ${c.added} added, ${c.deleted} deleted, ${c.changed} changed.`;
}
