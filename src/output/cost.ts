/** How `cost report` and `cost rightsize` results look, for people and as JSON. */
import type { CostReportResult, CostRow, CostTotals } from '../commands/cost-report.js';
import type { CostRightsizeResult, RightsizeRow } from '../commands/cost-rightsize.js';
import type { MonthlyCosts } from '../core/cost/cost.js';
import type { ResolvedPrices } from '../core/cost/prices.js';
import type { ResultView } from './present.js';
import type { Reporter } from './reporter.js';
import { renderTable } from './table.js';

/** Cents, for JSON: every number in the document can be recomputed by hand from `prices`. */
const cents = (v: number | null | undefined) =>
  v === null || v === undefined ? null : Math.round(v * 100) / 100;

/** `$1,234.56`, or `unknown`. */
export function usd(v: number | null | undefined): string {
  if (v === null || v === undefined) return 'unknown';
  return `$${v.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

const trimNumber = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(2).replace(/0+$/, ''));

/** `0.5 vCPU / 1 GiB` from CPU units and MiB. */
export function sizeLabel(cpu: number | null, memory: number | null): string {
  if (cpu === null || memory === null) return 'unknown';
  return `${trimNumber(cpu / 1024)} vCPU / ${trimNumber(memory / 1024)} GiB`;
}

function launchLabel(row: CostRow): string {
  if (row.launch.kind === 'ec2') return row.launch.label;
  if (row.launch.split.length === 1) return row.launch.split[0]?.capacityProvider ?? 'FARGATE';
  return row.launch.split
    .map((s) => `${s.capacityProvider.replace('FARGATE_', '')} ${trimNumber(s.tasks)}`)
    .join(' + ');
}

function pricesJson(p: ResolvedPrices) {
  return {
    region: p.region,
    source: p.kind,
    description: p.source,
    asOf: p.asOf,
    ...(p.fallbackReason ? { fallbackReason: p.fallbackReason } : {}),
    currency: 'USD',
    rates: p.rates ?? null,
  };
}

function pricesLines(prices: readonly ResolvedPrices[]): string[] {
  return prices.map((p) => {
    const what =
      p.kind === 'price-list-api'
        ? `live AWS Price List / Savings Plans APIs, read ${p.asOf}`
        : p.kind === 'bundled'
          ? `BUNDLED price table as of ${p.asOf}${p.fallbackReason ? ` (${p.fallbackReason})` : ''}`
          : `${p.source}, as of ${p.asOf}`;
    return `  ${p.region}: ${what}${p.rates ? '' : ' - no rates for this region: costs unknown'}`;
  });
}

function monthlyJson(m: MonthlyCosts | null) {
  if (!m) return null;
  return Object.fromEntries(Object.entries(m).map(([k, v]) => [k, cents(v)]));
}

function totalsJson(t: CostTotals) {
  return Object.fromEntries(
    Object.entries(t).map(([k, v]) => [
      k,
      {
        usd: v.rows > 0 && v.unknownRows === v.rows ? null : cents(v.usd),
        rows: v.rows,
        unknownRows: v.unknownRows,
      },
    ]),
  );
}

function totalLabel(t: CostTotals, key: keyof CostTotals): string {
  const v = t[key];
  if (v.rows > 0 && v.unknownRows === v.rows) return 'unknown';
  return v.unknownRows ? `${usd(v.usd)} (+${v.unknownRows} unknown)` : usd(v.usd);
}

/** `cost report`: one table row per service, then totals, Spot blockers and the price source. */
export const costReportView: ResultView<CostReportResult> = {
  human(r, out: Reporter) {
    if (r.rows.length === 0) {
      out.result(`No services in ${r.regions.join(', ')}.`);
      return;
    }
    out.result(
      `Monthly cost in USD at ${r.hoursPerMonth} hours a month (the AWS Pricing Calculator's convention)\n`,
    );
    const cell = (row: CostRow, key: keyof MonthlyCosts) =>
      row.notPriced ? '-' : row.monthly?.[key] === null ? 'unknown' : usd(row.monthly?.[key]);
    out.result(
      renderTable(
        [
          'CLUSTER',
          'SERVICE',
          'LAUNCH',
          'TASKS',
          'SIZE',
          'PLATFORM',
          'EPHEMERAL',
          'CURRENT',
          'ON-DEMAND',
          'ALL SPOT',
          'ARM64',
          'SP 1Y',
          'SP 3Y',
          'SPOT',
        ],
        r.rows.map((row) => [
          r.regions.length > 1 ? `${row.region}/${row.clusterName}` : row.clusterName,
          row.kind === 'service' ? row.name : `${row.name} (tasks)`,
          launchLabel(row),
          `${row.tasks.desired}/${row.tasks.running}`,
          sizeLabel(row.cpu, row.memory),
          row.cpuArchitecture
            ? `${row.operatingSystemFamily?.toLowerCase().startsWith('windows') ? 'windows' : 'linux'}/${row.cpuArchitecture}`
            : 'unknown',
          row.ephemeralStorageGiB === null ? '-' : `${row.ephemeralStorageGiB} GiB`,
          row.notPriced
            ? row.launch.kind === 'ec2'
              ? 'on EC2: not Fargate'
              : 'not priced'
            : cell(row, 'current'),
          cell(row, 'onDemand'),
          cell(row, 'allSpot'),
          cell(row, 'arm64'),
          cell(row, 'savingsPlan1y'),
          cell(row, 'savingsPlan3y'),
          row.spotEligible
            ? out.colors.green('yes')
            : `no (${row.spotBlockers.map((b) => b.code).join(', ') || 'n/a'})`,
        ]),
      ),
    );
    out.result(
      '\nTASKS = desired/running. SP = Compute Savings Plans, no upfront, on the on-demand part (Spot is not covered).',
    );
    out.result('\nTotals (Fargate rows only):');
    for (const c of r.totals.clusters)
      out.result(
        `  ${c.region} ${c.clusterName}: current ${totalLabel(c.totals, 'current')}, best ${totalLabel(c.totals, 'best')}`,
      );
    out.result(
      `  overall: current ${totalLabel(r.totals.overall, 'current')}, on demand ${totalLabel(r.totals.overall, 'onDemand')}, all Spot ${totalLabel(r.totals.overall, 'allSpot')}, arm64 ${totalLabel(r.totals.overall, 'arm64')}, SP 1y ${totalLabel(r.totals.overall, 'savingsPlan1y')}, SP 3y ${totalLabel(r.totals.overall, 'savingsPlan3y')}`,
    );
    out.result(
      `  best combination: ${totalLabel(r.totals.overall, 'best')}: Spot where eligible, and Graviton (arm64) for Linux tasks if the image has an arm64 build`,
    );
    const notes = r.rows.flatMap((row) => [
      ...row.spotBlockers.map((b) => `  ${row.clusterName}/${row.name}: not Spot: ${b.message}`),
      ...row.spotChecks.map((c) => `  ${row.clusterName}/${row.name}: check: ${c}`),
      ...(row.notPriced && row.launch.kind !== 'ec2'
        ? [`  ${row.clusterName}/${row.name}: ${row.notPriced}`]
        : []),
    ]);
    if (notes.length) out.result(`\nSpot and pricing notes:\n${notes.join('\n')}`);
    const unknownRates = [...new Set(r.rows.flatMap((row) => Object.values(row.unknown).flat()))];
    if (unknownRates.length) out.result(`\nUnknown (never estimated): ${unknownRates.join('; ')}`);
    out.result(`\nPrices:\n${pricesLines(r.prices).join('\n')}`);
    for (const e of r.errors)
      out.result(`error: ${e.region}${e.cluster ? ` ${e.cluster}` : ''}: ${e.message}`);
  },
  json: (r) => ({
    regions: r.regions,
    hoursPerMonth: r.hoursPerMonth,
    currency: 'USD',
    prices: r.prices.map(pricesJson),
    rows: r.rows.map((row) => ({
      kind: row.kind,
      region: row.region,
      clusterName: row.clusterName,
      ...(row.kind === 'service' ? { serviceName: row.name } : { group: row.name }),
      taskDefinition: row.taskDefinition,
      launch:
        row.launch.kind === 'fargate'
          ? { kind: 'fargate', label: row.launch.label, split: row.launch.split }
          : { kind: 'ec2', label: row.launch.label },
      tasks: row.tasks,
      cpu: row.cpu,
      memory: row.memory,
      runtimePlatform: {
        cpuArchitecture: row.cpuArchitecture,
        operatingSystemFamily: row.operatingSystemFamily,
      },
      ephemeralStorageGiB: row.ephemeralStorageGiB,
      monthly: monthlyJson(row.monthly),
      unknown: row.unknown,
      ...(row.notPriced ? { notPriced: row.notPriced } : {}),
      spotEligible: row.spotEligible,
      spotBlockers: row.spotBlockers,
      spotChecks: row.spotChecks,
    })),
    totals: {
      clusters: r.totals.clusters.map((c) => ({
        region: c.region,
        clusterName: c.clusterName,
        ...totalsJson(c.totals),
      })),
      overall: totalsJson(r.totals.overall),
    },
    errors: r.errors,
  }),
};

function statusLabel(row: RightsizeRow, out: Reporter): string {
  if (row.status === 'resize') return out.colors.yellow(row.underSized ? 'grow' : 'resize');
  if (row.status === 'keep') return row.underSized ? out.colors.yellow('keep (under-sized)') : 'keep';
  return row.status;
}

/** `cost rightsize`: one row per service, then each reason. */
export const costRightsizeView: ResultView<CostRightsizeResult> = {
  human(r, out) {
    if (r.services.length === 0) {
      out.result(`No services in ${r.regions.join(', ')}.`);
      return;
    }
    out.result(
      `Container Insights over ${r.days} days at a ${r.periodSeconds} s period, ${Math.round(r.headroom * 100)} % headroom; monthly cost at 730 hours a month\n`,
    );
    out.result(
      renderTable(
        [
          'CLUSTER',
          'SERVICE',
          'CURRENT',
          'PEAK CPU',
          'PEAK MEM',
          'RECOMMENDED',
          'STATUS',
          'MONTHLY',
          'SAVING',
        ],
        r.services.map((row) => [
          row.clusterName,
          row.serviceName,
          row.current ? `${row.current.cpu}/${row.current.memory}` : '-',
          row.usage ? `${Math.round(row.usage.cpu.peak)} (${Math.round(row.usage.cpu.share * 100)} %)` : '-',
          row.usage
            ? `${Math.round(row.usage.memory.peak)} (${Math.round(row.usage.memory.share * 100)} %)`
            : '-',
          row.recommended ? `${row.recommended.cpu}/${row.recommended.memory}` : '-',
          statusLabel(row, out),
          row.recommended
            ? `${usd(row.monthly.current)} -> ${usd(row.monthly.recommended)}`
            : usd(row.monthly.current),
          row.status === 'resize' ? usd(row.monthlySaving) : '-',
        ]),
      ),
    );
    out.result('\nSizes are CPU units / MiB, as in the task definition; peaks are per task.');
    out.result(
      `\nWhy:\n${r.services.map((s) => `  ${s.clusterName}/${s.serviceName}: ${s.reason}`).join('\n')}`,
    );
    out.result(`\nPrices:\n${pricesLines(r.prices).join('\n')}`);
    const resize = r.services.filter((s) => s.status === 'resize').length;
    out.result(`\n${resize ? `${resize} service(s) to resize (exit 1).` : 'Nothing to change.'}`);
  },
  json: (r) => ({
    regions: r.regions,
    days: r.days,
    periodSeconds: r.periodSeconds,
    headroom: r.headroom,
    window: r.window,
    hoursPerMonth: 730,
    currency: 'USD',
    prices: r.prices.map(pricesJson),
    services: r.services.map((s) => ({
      ...s,
      monthly: { current: cents(s.monthly.current), recommended: cents(s.monthly.recommended) },
      monthlySaving: cents(s.monthlySaving),
    })),
    errors: r.errors,
  }),
};
