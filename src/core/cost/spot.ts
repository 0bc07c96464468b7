/**
 * Whether a Fargate row could run on Fargate Spot, and what stands in the way. Spot tasks get a
 * two-minute warning (SIGTERM) before they stop; facts and sources in docs/pricing.md "Fargate Spot".
 */

/** Longest stop a Spot interruption leaves time for. */
export const SPOT_WARNING_SECONDS = 120;

export type SpotBlockerCode =
  | 'not-fargate'
  | 'windows'
  | 'platform-version'
  | 'stop-timeout'
  | 'daemon'
  | 'single-task';

export interface SpotBlocker {
  code: SpotBlockerCode;
  message: string;
}

export interface SpotInput {
  fargate: boolean;
  windows: boolean;
  arm64: boolean;
  /** The service's platformVersion (`LATEST`, `1.4.0`...) or undefined. */
  platformVersion?: string | undefined;
  /** REPLICA or DAEMON. */
  schedulingStrategy?: string | undefined;
  desiredCount: number;
  minimumHealthyPercent?: number | undefined;
  /** Container name -> stopTimeout seconds, for containers that set one. */
  stopTimeouts: { name: string; stopTimeout: number }[];
  /** The service registers tasks with a load balancer target group. */
  loadBalanced: boolean;
  /** Standalone tasks (RunTask) rather than a service. */
  standalone?: boolean | undefined;
}

export interface SpotVerdict {
  spotEligible: boolean;
  spotBlockers: SpotBlocker[];
  /** Things ecsops cannot read that the operator must check before moving to Spot. */
  spotChecks: string[];
}

function versionBelow(version: string | undefined, minimum: [number, number, number]): boolean {
  const m = version ? /^(\d+)\.(\d+)\.(\d+)$/.exec(version) : null;
  if (!m) return false; // LATEST or unset: the newest version, which supports Spot.
  const v = [Number(m[1]), Number(m[2]), Number(m[3])];
  for (let i = 0; i < 3; i++) {
    if ((v[i] as number) !== minimum[i]) return (v[i] as number) < minimum[i]!;
  }
  return false;
}

/** The Spot verdict for one row. */
export function assessSpot(input: SpotInput): SpotVerdict {
  const blockers: SpotBlocker[] = [];
  const checks: string[] = [];
  if (!input.fargate)
    blockers.push({ code: 'not-fargate', message: 'runs on EC2 instances: Fargate Spot does not apply' });
  if (input.windows)
    blockers.push({
      code: 'windows',
      message: 'Windows tasks cannot use the FARGATE_SPOT capacity provider',
    });
  // Spot needs Linux platform 1.3.0+ on x86_64 and 1.4.0+ on ARM64.
  const minimum: [number, number, number] = input.arm64 ? [1, 4, 0] : [1, 3, 0];
  if (!input.windows && versionBelow(input.platformVersion, minimum))
    blockers.push({
      code: 'platform-version',
      message: `platform version ${input.platformVersion} is older than ${minimum.join('.')}, the first with Fargate Spot${input.arm64 ? ' on ARM64' : ''}`,
    });
  const slow = input.stopTimeouts.filter((c) => c.stopTimeout > SPOT_WARNING_SECONDS);
  if (slow.length)
    blockers.push({
      code: 'stop-timeout',
      message: `stopTimeout over ${SPOT_WARNING_SECONDS} s (${slow.map((c) => `${c.name}: ${c.stopTimeout} s`).join(', ')}): longer than the 2-minute Spot warning`,
    });
  if (input.schedulingStrategy === 'DAEMON')
    blockers.push({
      code: 'daemon',
      message: 'a daemon service: one task per instance, nothing to fail over to',
    });
  else if (!input.standalone && input.desiredCount === 1) {
    const slack =
      input.minimumHealthyPercent === undefined || input.minimumHealthyPercent >= 100
        ? 'and minimumHealthyPercent leaves no slack'
        : `(minimumHealthyPercent ${input.minimumHealthyPercent})`;
    blockers.push({
      code: 'single-task',
      message: `a single task ${slack}: an interruption leaves no task running until a new one starts`,
    });
  }
  if (input.loadBalanced)
    checks.push(
      `behind a load balancer: the target group's deregistration delay must be ${SPOT_WARNING_SECONDS} s or less (the default is 300 s); ecsops does not read it`,
    );
  return { spotEligible: blockers.length === 0, spotBlockers: blockers, spotChecks: checks };
}
