/** Domain types for what ecsops reads from ECS. AWS field names keep AWS spelling. */

/** The values of the `containerInsights` cluster and account setting. */
export const INSIGHTS_LEVELS = ['disabled', 'enabled', 'enhanced'] as const;
export type InsightsLevel = (typeof INSIGHTS_LEVELS)[number];

/** A cluster as `insights` and `alarm` need it. */
export interface ClusterState {
  region: string;
  clusterName: string;
  clusterArn: string;
  /** ACTIVE, PROVISIONING, DEPROVISIONING, FAILED or INACTIVE. */
  status: string;
  containerInsights: InsightsLevel;
  registeredContainerInstancesCount: number;
  activeServicesCount: number;
}

/** A service as `alarm` and `secrets` need it. */
export interface ServiceState {
  region: string;
  clusterArn: string;
  clusterName: string;
  serviceName: string;
  serviceArn: string;
  status: string;
  desiredCount: number;
  runningCount: number;
  taskDefinition: string;
  /** What `cost` reads as well (optional: other commands' fixtures leave them out). */
  launchType?: string | undefined;
  capacityProviderStrategy?: { capacityProvider: string; base?: number; weight?: number }[] | undefined;
  /** REPLICA or DAEMON. */
  schedulingStrategy?: string | undefined;
  platformVersion?: string | undefined;
  minimumHealthyPercent?: number | undefined;
  maximumPercent?: number | undefined;
  /** Target group ARNs the service registers its tasks with. */
  targetGroupArns?: string[] | undefined;
}

/** Reads a setting value defensively: anything unrecognised counts as disabled. */
export function toInsightsLevel(value: string | undefined): InsightsLevel {
  return value === 'enabled' || value === 'enhanced' ? value : 'disabled';
}

/** The cluster name from a name or a cluster ARN (`arn:aws:ecs:r:a:cluster/NAME`). */
export function clusterNameOf(nameOrArn: string): string {
  const slash = nameOrArn.lastIndexOf('/');
  return nameOrArn.startsWith('arn:') && slash >= 0 ? nameOrArn.slice(slash + 1) : nameOrArn;
}

/** The region inside an ARN, or undefined for a plain name. */
export function regionOfArn(arn: string): string | undefined {
  if (!arn.startsWith('arn:')) return undefined;
  return arn.split(':')[3] || undefined;
}
