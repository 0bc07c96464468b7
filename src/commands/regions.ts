import { UsageError } from '../errors.js';
import type { CommandContext } from './context.js';

/** The regions a command runs in: --region list, `all` (every enabled region), or the default chain's region. */
export async function resolveRegions(ctx: CommandContext): Promise<string[]> {
  const requested = ctx.global.regions;
  if (requested.includes('all')) {
    if (requested.length > 1) throw new UsageError('--region all cannot be combined with named regions');
    const home = (await ctx.aws.defaultRegion()) ?? 'us-east-1';
    return (await ctx.aws.ec2(home)).listEnabledRegions();
  }
  if (requested.length > 0) return [...new Set(requested)];
  const region = await ctx.aws.defaultRegion();
  if (!region) throw noRegion();
  return [region];
}

/**
 * The one region of a command that works on one task definition at a time (`secrets check|migrate`).
 * With `optional`, no region at all is allowed (offline runs) and gives undefined.
 */
export async function resolveOneRegion(
  ctx: CommandContext,
  command: string,
  options: { optional: true },
): Promise<string | undefined>;
export async function resolveOneRegion(ctx: CommandContext, command: string): Promise<string>;
export async function resolveOneRegion(
  ctx: CommandContext,
  command: string,
  options?: { optional: true },
): Promise<string | undefined> {
  const requested = ctx.global.regions;
  if (requested.length > 1 || requested.includes('all')) {
    throw new UsageError(`${command} works in one region at a time: pass a single --region.`);
  }
  const region = requested[0] ?? (await ctx.aws.defaultRegion());
  if (region === undefined && !options?.optional) throw noRegion();
  return region;
}

function noRegion(): UsageError {
  return new UsageError(
    'No AWS region given.',
    'Pass --region REGION (several comma-separated, or "all"), or set AWS_REGION / a region in your profile.',
  );
}
