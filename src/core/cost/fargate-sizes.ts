/**
 * The valid Fargate task cpu/memory combinations (see docs/pricing.md "Task sizes"), in
 * task-definition units: CPU units (1024 = 1 vCPU) and MiB.
 */

/** One task CPU value with the memory values Fargate accepts for it. */
export interface FargateCpuSize {
  cpu: number;
  memory: readonly number[];
  /** Windows tasks on Fargate take 1 to 4 vCPU only. */
  windows: boolean;
}

function range(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let m = from; m <= to; m += step) out.push(m);
  return out;
}

/** The documented table, smallest first. 8 and 16 vCPU need Linux platform version 1.4.0. */
export const FARGATE_SIZES: readonly FargateCpuSize[] = [
  { cpu: 256, memory: [512, 1024, 2048], windows: false },
  { cpu: 512, memory: range(1024, 4096, 1024), windows: false },
  { cpu: 1024, memory: range(2048, 8192, 1024), windows: true },
  { cpu: 2048, memory: range(4096, 16384, 1024), windows: true },
  { cpu: 4096, memory: range(8192, 30720, 1024), windows: true },
  { cpu: 8192, memory: range(16384, 61440, 4096), windows: false },
  { cpu: 16384, memory: range(32768, 122880, 8192), windows: false },
];

/** True when `cpu`/`memory` is a combination Fargate accepts for the operating system. */
export function isValidFargateSize(cpu: number, memory: number, windows = false): boolean {
  const size = FARGATE_SIZES.find((s) => s.cpu === cpu);
  return Boolean(size && (!windows || size.windows) && size.memory.includes(memory));
}

/**
 * The smallest valid combination holding at least `cpu` CPU units and `memory` MiB: the lowest CPU
 * value that has a memory value big enough, then the lowest such memory value. CPU dominates the
 * price (a vCPU-hour costs about nine GB-hours), so the smallest CPU is also the cheapest choice.
 * Undefined when nothing on Fargate is that big.
 */
export function smallestFargateSize(
  cpu: number,
  memory: number,
  windows = false,
): { cpu: number; memory: number } | undefined {
  for (const size of FARGATE_SIZES) {
    if (size.cpu < cpu || (windows && !size.windows)) continue;
    const fit = size.memory.find((m) => m >= memory);
    if (fit !== undefined) return { cpu: size.cpu, memory: fit };
  }
  return undefined;
}
