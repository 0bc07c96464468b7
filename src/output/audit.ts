/** How `ecsops audit` results look: a summary by kind and account, then the findings; or one JSON document. */
import type { AuditResult, AuditUnreadable } from '../commands/audit.js';
import type { AuditFinding } from '../core/audit/findings.js';
import type { AuditSeverity } from '../core/audit/kinds.js';
import { type AuditSummaryRow, sortFindings, summarizeFindings } from '../core/audit/summary.js';
import type { Colors } from './colors.js';
import type { AccountResult, FleetView, ResultView } from './present.js';
import { renderTable } from './table.js';

const paint = (severity: AuditSeverity, colors: Colors) =>
  severity === 'high' ? colors.red(severity) : severity === 'info' ? severity : colors.yellow(severity);

/** The summary table: one row per kind and account with its number of findings. */
export function renderAuditSummary(rows: readonly AuditSummaryRow[], colors: Colors): string {
  return renderTable(
    ['KIND', 'SEVERITY', 'ACCOUNT', 'FINDINGS'],
    rows.map((r) => [r.kind, paint(r.severity, colors), r.account, String(r.count)]),
  );
}

/** One finding as a block: severity, kind, where, what, and the command that fixes it. */
export function renderAuditFinding(f: AuditFinding, colors: Colors): string {
  const where = [f.container && `container ${f.container}`, f.secretName].filter(Boolean).join(' ');
  const lines = [
    `${paint(f.severity, colors)} ${f.kind}  ${f.account} ${f.region} ${f.resource.type} ${f.resource.name}${where ? ` (${where})` : ''}`,
    `  ${f.message}`,
  ];
  if (f.services?.length) lines.push(`  used by: ${f.services.join(', ')}`);
  lines.push(`  fix: ${f.fix}`);
  return lines.join('\n');
}

/** One part that could not be read, for stderr. */
export function describeUnreadable(u: AuditUnreadable): string {
  const what = u.resource ? `${u.part} of ${u.resource}` : u.part;
  return `could not audit ${u.account} ${u.region} ${what}: ${u.message}`;
}

function auditStatus(r: Pick<AuditResult, 'findings' | 'unreadable'>): 'clean' | 'findings' | 'incomplete' {
  if (r.unreadable.length) return 'incomplete';
  return r.findings.some((f) => f.severity !== 'info') ? 'findings' : 'clean';
}

/** `3 finding(s), 1 note(s)`: problems and notes (info findings) counted apart. */
function countWords(findings: readonly AuditFinding[]): string {
  const notes = findings.filter((f) => f.severity === 'info').length;
  const problems = findings.length - notes;
  return `${problems} finding(s)${notes ? `, ${notes} note(s)` : ''}`;
}

/** Finding fields for JSON: absent ones left out, so each document names only what applies. */
export function auditFindingJson(f: AuditFinding): Record<string, unknown> {
  return Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined));
}

/** The findings of every account in one list, in the order of one audit. */
function combine(results: readonly AccountResult<AuditResult>[]) {
  const findings = sortFindings(results.flatMap((r) => r.result.findings));
  const unreadable = results.flatMap((r) => r.result.unreadable);
  const regions = [...new Set(results.flatMap((r) => r.result.regions))];
  return { findings, unreadable, regions, summary: summarizeFindings(findings) };
}

/**
 * `ecsops audit` over several accounts: one summary table by kind and account, then every finding
 * (each names its account, and its fix command the account to run in). Accounts that failed
 * outright are reported by the fleet runner.
 */
const auditFleetView: FleetView<AuditResult> = {
  human(results, out) {
    const all = combine(results);
    if (all.findings.length) {
      out.result(renderAuditSummary(all.summary, out.colors));
      out.result('');
      out.result(all.findings.map((f) => renderAuditFinding(f, out.colors)).join('\n\n'));
      out.result('');
    }
    for (const u of all.unreadable) out.error(describeUnreadable(u));
    const clean = results.filter((r) => auditStatus(r.result) === 'clean').length;
    out.result(
      `${countWords(all.findings)} in ${results.length - clean} of ${results.length} account(s)${all.unreadable.length ? `; ${all.unreadable.length} part(s) could not be read (see above)` : ''}; ${all.regions.join(', ')}.`,
    );
  },
  json(results) {
    const all = combine(results);
    return {
      status: auditStatus(all),
      regions: all.regions,
      // Keyed `audited`, not `accounts`: the fleet runner's `accounts` lists each account's status.
      audited: results.map((r) => ({
        account: r.account,
        status: auditStatus(r.result),
        ...r.result.counts,
      })),
      summary: all.summary,
      findings: all.findings.map(auditFindingJson),
      unreadable: all.unreadable,
    };
  },
};

/** `ecsops audit` for one account. */
export const auditView: ResultView<AuditResult> = {
  human(r, out) {
    const looked = `${r.counts.clusters} cluster(s), ${r.counts.services} service(s), ${r.counts.taskDefinitions} task definition(s) in ${r.regions.join(', ')}`;
    if (r.findings.length) {
      out.result(renderAuditSummary(r.summary, out.colors));
      out.result('');
      out.result(r.findings.map((f) => renderAuditFinding(f, out.colors)).join('\n\n'));
      out.result('');
    }
    for (const u of r.unreadable) out.error(describeUnreadable(u));
    const status = auditStatus(r);
    out.result(
      status === 'clean'
        ? r.findings.length
          ? `No problems (${r.findings.length} note(s)): account ${r.account}, ${looked}.`
          : `No findings: account ${r.account}, ${looked}.`
        : `${countWords(r.findings)}${r.unreadable.length ? `; ${r.unreadable.length} part(s) could not be read (see above)` : ''}: account ${r.account}, ${looked}.`,
    );
  },
  json: (r) => ({
    status: auditStatus(r),
    account: r.account,
    regions: r.regions,
    counts: r.counts,
    summary: r.summary,
    findings: r.findings.map(auditFindingJson),
    unreadable: r.unreadable,
  }),
  fleet: auditFleetView,
};
