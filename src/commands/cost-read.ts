/**
 * The read phase `cost report` and `cost rightsize` share: clusters (all, or the named ones) in every
 * region, their services (DescribeServices 10 a call), each task definition revision read once, and
 * with `includeTasks` the RUNNING standalone tasks grouped by `group`. A cluster that cannot be read
 * is reported and the others go on.
 */
import type { RunningTaskState } from '../aws/ecs.js';
import { mapConcurrent, memo } from '../core/concurrency.js';
import { type TaskShape, taskShapeOf } from '../core/cost/rows.js';
import type { ClusterState, ServiceState } from '../core/ecs-types.js';
import { InterruptedError } from '../errors.js';
import type { CommandContext } from './context.js';
import { describeError } from './describe-error.js';
import { assertClustersRead, readClusters } from './read-clusters.js';

/** A service with its task definition's shape. */
export interface ServiceTarget {
  kind: 'service';
  cluster: ClusterState;
  service: ServiceState;
  shape: TaskShape | undefined;
  /** Why the task definition could not be read. */
  shapeError?: string | undefined;
}

/** Standalone tasks of one group and task definition revision. */
export interface TaskGroupTarget {
  kind: 'task-group';
  cluster: ClusterState;
  group: string;
  taskDefinition: string;
  tasks: RunningTaskState[];
  shape: TaskShape | undefined;
  shapeError?: string | undefined;
}

export type CostTarget = ServiceTarget | TaskGroupTarget;

export interface CostReadResult {
  targets: CostTarget[];
  errors: { region: string; cluster?: string | undefined; message: string }[];
}

/** Reads every target of the selected clusters. */
export async function readCostTargets(
  ctx: CommandContext,
  regions: readonly string[],
  clusterNames: readonly string[],
  includeTasks: boolean,
): Promise<CostReadResult> {
  const read = await readClusters(
    ctx,
    regions,
    clusterNames.length ? { names: clusterNames } : { all: true },
  );
  assertClustersRead(read, regions);
  const errors: CostReadResult['errors'] = read.regionErrors.map((e) => ({
    region: e.region,
    message: describeError(e.error),
  }));
  const clusters = [...read.clusters].sort(
    (a, b) => a.region.localeCompare(b.region) || a.clusterName.localeCompare(b.clusterName),
  );
  // One DescribeTaskDefinition per revision for the whole run, whichever cluster uses it.
  const shapes = new Map<string, Promise<TaskShape>>();
  const shapeOf = (region: string, taskDefinition: string) =>
    memo(shapes, `${region} ${taskDefinition}`, async () =>
      taskShapeOf((await (await ctx.aws.ecs(region)).describeTaskDefinition(taskDefinition)).taskDefinition),
    );
  const shapeFields = async (
    region: string,
    taskDefinition: string,
  ): Promise<{ shape: TaskShape | undefined; shapeError?: string }> => {
    try {
      return { shape: await shapeOf(region, taskDefinition) };
    } catch (error) {
      return { shape: undefined, shapeError: describeError(error) };
    }
  };

  const settled = await mapConcurrent(
    clusters,
    ctx.global.concurrency,
    async (cluster): Promise<CostTarget[]> => {
      const ecs = await ctx.aws.ecs(cluster.region);
      const arns = await ecs.listServiceArns(cluster.clusterArn);
      const services = arns.length ? (await ecs.describeServices(cluster.clusterArn, arns)).services : [];
      const targets: CostTarget[] = await Promise.all(
        [...services]
          .sort((a, b) => a.serviceName.localeCompare(b.serviceName))
          .map(
            async (service): Promise<ServiceTarget> => ({
              kind: 'service',
              cluster,
              service,
              ...(await shapeFields(cluster.region, service.taskDefinition)),
            }),
          ),
      );
      if (includeTasks) {
        const groups = new Map<
          string,
          { group: string; taskDefinition: string; tasks: RunningTaskState[] }
        >();
        for (const task of await ecs.listRunningTasks(cluster.clusterArn)) {
          // Service tasks are already counted by their service's desired count.
          if (task.group?.startsWith('service:')) continue;
          const group = task.group ?? (task.startedBy ? `startedBy:${task.startedBy}` : 'standalone');
          const key = `${group} ${task.taskDefinitionArn}`;
          const entry = groups.get(key) ?? { group, taskDefinition: task.taskDefinitionArn, tasks: [] };
          entry.tasks.push(task);
          groups.set(key, entry);
        }
        for (const g of [...groups.values()].sort((a, b) => a.group.localeCompare(b.group))) {
          targets.push({
            kind: 'task-group',
            cluster,
            ...g,
            ...(await shapeFields(cluster.region, g.taskDefinition)),
          });
        }
      }
      return targets;
    },
    ctx.signal,
  );
  const targets: CostTarget[] = [];
  settled.forEach((s, i) => {
    const cluster = clusters[i] as ClusterState;
    if (s.status === 'not-started')
      throw new InterruptedError('Interrupted while reading: nothing was changed.');
    if (s.status === 'fulfilled') targets.push(...s.value);
    else
      errors.push({ region: cluster.region, cluster: cluster.clusterName, message: describeError(s.reason) });
  });
  return { targets, errors };
}
