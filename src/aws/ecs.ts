/**
 * Amazon ECS calls ecsops makes. API reference:
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Operations.html
 */
import type {
  DescribeTaskDefinitionCommandOutput,
  ECSClient,
  RegisterTaskDefinitionCommandInput,
} from '@aws-sdk/client-ecs';
import { chunk, mapConcurrent } from '../core/concurrency.js';
import {
  type ClusterState,
  type InsightsLevel,
  type ServiceState,
  toInsightsLevel,
} from '../core/ecs-types.js';
import { awsCall, responseList } from './call.js';
import { sdk } from './sdk.js';

const {
  DescribeClustersCommand,
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ListAccountSettingsCommand,
  PutAccountSettingDefaultCommand,
  paginateListClusters,
  paginateListContainerInstances,
  paginateListServices,
  paginateListTasks,
  RegisterTaskDefinitionCommand,
  UpdateClusterCommand,
  UpdateServiceCommand,
  waitUntilServicesStable,
} = sdk('@aws-sdk/client-ecs');

// ECS answers an unknown cluster with ClusterNotFoundException, and an unknown task definition with a
// ClientException whose message says so; both mean the user's input is wrong (exit 2), not AWS.
const clusterNotFound = {
  resourceType: 'Cluster',
  match: (code: string) => code === 'ClusterNotFoundException',
  hint: 'Check the name and --region; list clusters with: ecsops insights status',
};
const serviceNotFound = {
  resourceType: 'Service',
  match: (code: string) => code === 'ServiceNotFoundException' || code === 'ServiceNotActiveException',
  hint: 'Check the service name, --cluster and --region.',
};
const taskDefinitionNotFound = {
  resourceType: 'Task definition',
  match: (code: string, message: string) =>
    code === 'ClientException' &&
    /unable to describe task definition|does not exist|not found/i.test(message),
  hint: 'Check the family (and revision) and --region; list families with: aws ecs list-task-definition-families',
};

/** DescribeClusters takes at most 100 clusters per call. */
export const DESCRIBE_CLUSTERS_BATCH = 100;
/** DescribeServices takes at most 10 services per call. */
export const DESCRIBE_SERVICES_BATCH = 10;

/**
 * Describe batches in flight at once. Fixed rather than --concurrency (the clients are built before
 * and apart from the flags): 8 is the flag's default, and well inside ECS's request-rate bucket for
 * Describe* calls; the adaptive retry slows down if the account's other traffic fills it.
 */
export const DESCRIBE_BATCH_CONCURRENCY = 8;

/** Sends `send` for every batch, 8 at once; answers in batch order, the first failing batch's error thrown. */
async function describeInBatches<T, R>(
  items: readonly T[],
  size: number,
  send: (batch: T[]) => Promise<R>,
): Promise<{ batch: T[]; out: R }[]> {
  const batches = chunk(items, size);
  const settled = await mapConcurrent(batches, DESCRIBE_BATCH_CONCURRENCY, send);
  return settled.map((s, i) => {
    if (s.status === 'rejected') throw s.reason;
    if (s.status === 'not-started') throw new Error('BUG: a describe batch did not start');
    return { batch: batches[i] as T[], out: s.value };
  });
}

/** Every cluster ARN in the region (ListClusters, 100 a page). */
export async function listClusterArns(ecs: ECSClient): Promise<string[]> {
  return awsCall({ operation: 'ecs:ListClusters', iamAction: 'ecs:ListClusters' }, async () => {
    const arns: string[] = [];
    for await (const page of paginateListClusters({ client: ecs, pageSize: 100 }, {})) {
      arns.push(...(page.clusterArns ?? []));
    }
    return arns;
  });
}

/**
 * Clusters by name or ARN with their settings (DescribeClusters, 100 a call, the calls side by
 * side); `missing` lists what ECS did not find. Results keep the input order.
 */
export async function describeClusters(
  ecs: ECSClient,
  region: string,
  clusters: readonly string[],
): Promise<{ clusters: ClusterState[]; missing: string[] }> {
  const found: ClusterState[] = [];
  const missing: string[] = [];
  const metaOf = (batch: readonly string[]) => ({
    operation: 'ecs:DescribeClusters',
    iamAction: 'ecs:DescribeClusters',
    resource: batch.join(', '),
  });
  const answers = await describeInBatches(clusters, DESCRIBE_CLUSTERS_BATCH, (batch) =>
    awsCall(metaOf(batch), () =>
      ecs.send(new DescribeClustersCommand({ clusters: batch, include: ['SETTINGS'] })),
    ),
  );
  for (const { batch, out } of answers) {
    const meta = metaOf(batch);
    for (const c of responseList(out.clusters, meta, 'clusters')) {
      if (!c.clusterArn || !c.clusterName) continue;
      // ECS keeps deleted clusters visible as INACTIVE for a while; to the user they are gone.
      if (c.status === 'INACTIVE') {
        missing.push(batch.find((b) => b === c.clusterArn || b === c.clusterName) ?? c.clusterName);
        continue;
      }
      found.push({
        region,
        clusterName: c.clusterName,
        clusterArn: c.clusterArn,
        status: c.status ?? 'UNKNOWN',
        containerInsights: toInsightsLevel(c.settings?.find((s) => s.name === 'containerInsights')?.value),
        registeredContainerInstancesCount: c.registeredContainerInstancesCount ?? 0,
        activeServicesCount: c.activeServicesCount ?? 0,
      });
    }
    for (const f of responseList(out.failures, meta, 'failures')) if (f.arn) missing.push(f.arn);
  }
  return { clusters: found, missing };
}

/** The caller's effective `containerInsights` account setting: the default new clusters get. */
export async function readInsightsAccountDefault(ecs: ECSClient): Promise<InsightsLevel> {
  const out = await awsCall(
    { operation: 'ecs:ListAccountSettings', iamAction: 'ecs:ListAccountSettings' },
    () => ecs.send(new ListAccountSettingsCommand({ name: 'containerInsights', effectiveSettings: true })),
  );
  return toInsightsLevel(out.settings?.[0]?.value);
}

/** Sets the region's account default for new clusters (PutAccountSettingDefault). */
export async function putInsightsAccountDefault(ecs: ECSClient, value: InsightsLevel): Promise<void> {
  await awsCall(
    { operation: 'ecs:PutAccountSettingDefault', iamAction: 'ecs:PutAccountSettingDefault' },
    () => ecs.send(new PutAccountSettingDefaultCommand({ name: 'containerInsights', value })),
  );
}

/**
 * Sets a cluster's `containerInsights` setting. Uses UpdateCluster with `settings` rather than
 * UpdateClusterSettings: both are real operations changing the same setting, but UpdateCluster is the
 * one moto implements, so the integration tests exercise this exact request. IAM: ecs:UpdateCluster.
 */
export async function updateClusterInsights(
  ecs: ECSClient,
  clusterArn: string,
  value: InsightsLevel,
): Promise<void> {
  await awsCall(
    { operation: 'ecs:UpdateCluster', iamAction: 'ecs:UpdateCluster', resource: clusterArn },
    () =>
      ecs.send(
        new UpdateClusterCommand({ cluster: clusterArn, settings: [{ name: 'containerInsights', value }] }),
      ),
  );
}

/** ECS agent versions of the cluster's EC2 container instances (ListContainerInstances + DescribeContainerInstances). */
export async function listAgentVersions(
  ecs: ECSClient,
  clusterArn: string,
): Promise<{ containerInstanceArn: string; agentVersion: string | undefined }[]> {
  const meta = { iamAction: 'ecs:ListContainerInstances', resource: clusterArn };
  const arns = await awsCall({ ...meta, operation: 'ecs:ListContainerInstances' }, async () => {
    const all: string[] = [];
    for await (const page of paginateListContainerInstances(
      { client: ecs, pageSize: 100 },
      { cluster: clusterArn },
    )) {
      all.push(...(page.containerInstanceArns ?? []));
    }
    return all;
  });
  const result: { containerInstanceArn: string; agentVersion: string | undefined }[] = [];
  for (const batch of chunk(arns, 100)) {
    const out = await awsCall(
      {
        operation: 'ecs:DescribeContainerInstances',
        iamAction: 'ecs:DescribeContainerInstances',
        resource: clusterArn,
      },
      () =>
        ecs.send(new DescribeContainerInstancesCommand({ cluster: clusterArn, containerInstances: batch })),
    );
    for (const ci of out.containerInstances ?? []) {
      if (ci.containerInstanceArn)
        result.push({
          containerInstanceArn: ci.containerInstanceArn,
          agentVersion: ci.versionInfo?.agentVersion,
        });
    }
  }
  return result;
}

/** Every service ARN in a cluster (ListServices, 100 a page). */
export async function listServiceArns(ecs: ECSClient, cluster: string): Promise<string[]> {
  return awsCall(
    {
      operation: 'ecs:ListServices',
      iamAction: 'ecs:ListServices',
      resource: cluster,
      notFound: clusterNotFound,
    },
    async () => {
      const arns: string[] = [];
      for await (const page of paginateListServices({ client: ecs, pageSize: 100 }, { cluster })) {
        arns.push(...(page.serviceArns ?? []));
      }
      return arns;
    },
  );
}

/**
 * Services by name or ARN (DescribeServices, 10 a call, the calls side by side); `missing` lists
 * the names ECS did not find or that are INACTIVE. Results keep the input order.
 */
export async function describeServices(
  ecs: ECSClient,
  region: string,
  cluster: string,
  services: readonly string[],
): Promise<{ services: ServiceState[]; missing: string[] }> {
  const found: ServiceState[] = [];
  const missing: string[] = [];
  const meta = {
    operation: 'ecs:DescribeServices',
    iamAction: 'ecs:DescribeServices',
    resource: cluster,
    notFound: clusterNotFound,
  };
  const answers = await describeInBatches(services, DESCRIBE_SERVICES_BATCH, (batch) =>
    awsCall(meta, () => ecs.send(new DescribeServicesCommand({ cluster, services: batch }))),
  );
  for (const { out } of answers) {
    for (const s of responseList(out.services, meta, 'services')) {
      if (!s.serviceArn || !s.serviceName) continue;
      if (s.status === 'INACTIVE') {
        missing.push(s.serviceName);
        continue;
      }
      const clusterArn = s.clusterArn ?? cluster;
      found.push({
        region,
        clusterArn,
        clusterName: clusterArn.split('/').pop() ?? cluster,
        serviceName: s.serviceName,
        serviceArn: s.serviceArn,
        status: s.status ?? 'UNKNOWN',
        desiredCount: s.desiredCount ?? 0,
        runningCount: s.runningCount ?? 0,
        taskDefinition: s.taskDefinition ?? '',
        launchType: s.launchType,
        capacityProviderStrategy: s.capacityProviderStrategy?.flatMap((c) =>
          c.capacityProvider
            ? [{ capacityProvider: c.capacityProvider, base: c.base ?? 0, weight: c.weight ?? 0 }]
            : [],
        ),
        schedulingStrategy: s.schedulingStrategy,
        platformVersion: s.platformVersion,
        minimumHealthyPercent: s.deploymentConfiguration?.minimumHealthyPercent,
        maximumPercent: s.deploymentConfiguration?.maximumPercent,
        targetGroupArns: s.loadBalancers?.flatMap((lb) => (lb.targetGroupArn ? [lb.targetGroupArn] : [])),
      });
    }
    for (const f of responseList(out.failures, meta, 'failures'))
      if (f.arn) missing.push(f.arn.split('/').pop() ?? f.arn);
  }
  return { services: found, missing };
}

/** A RUNNING task as `cost report --include-tasks` needs it. */
export interface RunningTaskState {
  taskArn: string;
  /** `service:NAME` for service tasks, `family:NAME` by default for RunTask, or what the caller set. */
  group: string | undefined;
  startedBy: string | undefined;
  taskDefinitionArn: string;
  launchType: string | undefined;
  capacityProviderName: string | undefined;
}

/** DescribeTasks takes at most 100 tasks per call. */
export const DESCRIBE_TASKS_BATCH = 100;

/** Every RUNNING task of a cluster (ListTasks, 100 a page, then DescribeTasks, 100 a call). */
export async function listRunningTasks(ecs: ECSClient, cluster: string): Promise<RunningTaskState[]> {
  const arns = await awsCall(
    { operation: 'ecs:ListTasks', iamAction: 'ecs:ListTasks', resource: cluster, notFound: clusterNotFound },
    async () => {
      const all: string[] = [];
      for await (const page of paginateListTasks(
        { client: ecs, pageSize: 100 },
        { cluster, desiredStatus: 'RUNNING' },
      )) {
        all.push(...(page.taskArns ?? []));
      }
      return all;
    },
  );
  const meta = { operation: 'ecs:DescribeTasks', iamAction: 'ecs:DescribeTasks', resource: cluster };
  const answers = await describeInBatches(arns, DESCRIBE_TASKS_BATCH, (batch) =>
    awsCall(meta, () => ecs.send(new DescribeTasksCommand({ cluster, tasks: batch }))),
  );
  return answers.flatMap(({ out }) =>
    responseList(out.tasks, meta, 'tasks').flatMap((t) =>
      t.taskArn && t.taskDefinitionArn
        ? [
            {
              taskArn: t.taskArn,
              group: t.group,
              startedBy: t.startedBy,
              taskDefinitionArn: t.taskDefinitionArn,
              launchType: t.launchType,
              capacityProviderName: t.capacityProviderName,
            },
          ]
        : [],
    ),
  );
}

/** A task definition revision with its tags (DescribeTaskDefinition include TAGS), as the SDK returns it. */
export async function describeTaskDefinition(
  ecs: ECSClient,
  taskDefinition: string,
): Promise<
  NonNullable<DescribeTaskDefinitionCommandOutput['taskDefinition']> & {
    tags: { key?: string; value?: string }[];
  }
> {
  const out = await awsCall(
    {
      operation: 'ecs:DescribeTaskDefinition',
      iamAction: 'ecs:DescribeTaskDefinition',
      resource: taskDefinition,
      notFound: taskDefinitionNotFound,
    },
    () => ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition, include: ['TAGS'] })),
  );
  if (!out.taskDefinition)
    throw new Error(`BUG: DescribeTaskDefinition returned no taskDefinition for ${taskDefinition}`);
  return { ...out.taskDefinition, tags: out.tags ?? [] };
}

/** Registers a new revision; returns its ARN. Never deregisters anything. */
export async function registerTaskDefinition(
  ecs: ECSClient,
  input: RegisterTaskDefinitionCommandInput,
): Promise<{ taskDefinitionArn: string; revision: number }> {
  const out = await awsCall(
    {
      operation: 'ecs:RegisterTaskDefinition',
      iamAction: 'ecs:RegisterTaskDefinition',
      resource: input.family,
    },
    () => ecs.send(new RegisterTaskDefinitionCommand(input)),
  );
  const td = out.taskDefinition;
  if (!td?.taskDefinitionArn) throw new Error('BUG: RegisterTaskDefinition returned no taskDefinitionArn');
  return { taskDefinitionArn: td.taskDefinitionArn, revision: td.revision ?? 0 };
}

/** Points a service at a task definition revision (UpdateService). */
export async function updateServiceTaskDefinition(
  ecs: ECSClient,
  cluster: string,
  service: string,
  taskDefinition: string,
): Promise<void> {
  await awsCall(
    {
      operation: 'ecs:UpdateService',
      iamAction: 'ecs:UpdateService',
      resource: `${cluster}/${service}`,
      notFound: {
        ...serviceNotFound,
        match: (code: string) => serviceNotFound.match(code) || clusterNotFound.match(code),
      },
    },
    () => ecs.send(new UpdateServiceCommand({ cluster, service, taskDefinition })),
  );
}

/** Waits until the services are stable (the SDK waiter polls DescribeServices); `signal` ends it early. */
export async function waitForServicesStable(
  ecs: ECSClient,
  cluster: string,
  services: string[],
  maxWaitSeconds: number,
  signal?: AbortSignal,
): Promise<void> {
  await awsCall(
    {
      operation: 'ecs:DescribeServices (wait)',
      iamAction: 'ecs:DescribeServices',
      resource: `${cluster}/${services.join(',')}`,
    },
    () =>
      waitUntilServicesStable(
        { client: ecs, maxWaitTime: maxWaitSeconds, ...(signal ? { abortSignal: signal } : {}) },
        { cluster, services },
      ),
  );
}

/** A task definition revision as a plain JSON document (Dates as ISO strings) with its tags. */
export interface TaskDefinitionRecord {
  taskDefinition: import('../core/task-definition/json.js').JsonObject;
  tags: { key: string; value: string }[];
}

/** The ECS operations ecsops makes, bound to one region: what commands receive instead of a client. */
export interface EcsApi {
  readonly region: string;
  listClusterArns(): Promise<string[]>;
  describeClusters(clusters: readonly string[]): Promise<{ clusters: ClusterState[]; missing: string[] }>;
  readInsightsAccountDefault(): Promise<InsightsLevel>;
  putInsightsAccountDefault(value: InsightsLevel): Promise<void>;
  updateClusterInsights(clusterArn: string, value: InsightsLevel): Promise<void>;
  listAgentVersions(
    clusterArn: string,
  ): Promise<{ containerInstanceArn: string; agentVersion: string | undefined }[]>;
  listServiceArns(cluster: string): Promise<string[]>;
  describeServices(
    cluster: string,
    services: readonly string[],
  ): Promise<{ services: ServiceState[]; missing: string[] }>;
  describeTaskDefinition(taskDefinition: string): Promise<TaskDefinitionRecord>;
  listRunningTasks(cluster: string): Promise<RunningTaskState[]>;
  /** `input` is a RegisterTaskDefinition request validated by core/task-definition/validate. */
  registerTaskDefinition(
    input: import('../core/task-definition/json.js').JsonObject,
  ): Promise<{ taskDefinitionArn: string; revision: number }>;
  updateServiceTaskDefinition(cluster: string, service: string, taskDefinition: string): Promise<void>;
  waitForServicesStable(
    cluster: string,
    services: string[],
    maxWaitSeconds: number,
    signal?: AbortSignal,
  ): Promise<void>;
}

/** Binds the ECS operations to one region's client. */
export function createEcsApi(ecs: ECSClient, region: string): EcsApi {
  return {
    region,
    listClusterArns: () => listClusterArns(ecs),
    describeClusters: (clusters) => describeClusters(ecs, region, clusters),
    readInsightsAccountDefault: () => readInsightsAccountDefault(ecs),
    putInsightsAccountDefault: (value) => putInsightsAccountDefault(ecs, value),
    updateClusterInsights: (clusterArn, value) => updateClusterInsights(ecs, clusterArn, value),
    listAgentVersions: (clusterArn) => listAgentVersions(ecs, clusterArn),
    listServiceArns: (cluster) => listServiceArns(ecs, cluster),
    describeServices: (cluster, services) => describeServices(ecs, region, cluster, services),
    async describeTaskDefinition(taskDefinition) {
      const { tags, ...td } = await describeTaskDefinition(ecs, taskDefinition);
      return {
        // Round-trip through JSON: SDK objects carry Dates and undefineds that documents should not see.
        taskDefinition: JSON.parse(JSON.stringify(td)),
        tags: tags.flatMap((t) => (t.key === undefined ? [] : [{ key: t.key, value: t.value ?? '' }])),
      };
    },
    listRunningTasks: (cluster) => listRunningTasks(ecs, cluster),
    registerTaskDefinition: (input) =>
      // The document was validated against the request shape before it got here.
      registerTaskDefinition(ecs, input as unknown as RegisterTaskDefinitionCommandInput),
    updateServiceTaskDefinition: (cluster, service, taskDefinition) =>
      updateServiceTaskDefinition(ecs, cluster, service, taskDefinition),
    waitForServicesStable: (cluster, services, maxWaitSeconds, signal) =>
      waitForServicesStable(ecs, cluster, services, maxWaitSeconds, signal),
  };
}
