import { UsageError } from '../errors.js';
import type { CommandContext } from './context.js';

/** The regions a command runs in: --region list, `all` (every enabled region), or the default chain's region. */
export async function resolveRegions(ctx: CommandContext): Promise<string[]> {
  const requested = ctx.global.regions;
  if (requested.includes('all')) {
    if (requested.length > 1) throw new UsageError('--region all cannot be combined with named regions');
    const home = (await ctx.aws.defaultRegion()) ?? 'us-east-1';
    const { listEnabledRegions } = await import('../aws/regions.js');
    return listEnabledRegions(await ctx.aws.ec2(home));
  }
  if (requested.length > 0) return [...new Set(requested)];
  const region = await ctx.aws.defaultRegion();
  if (!region) {
    throw new UsageError(
      'No AWS region given.',
      'Pass --region REGION (several comma-separated, or "all"), or set AWS_REGION / a region in your profile.',
    );
  }
  return [region];
}
