import { CreateClusterCommand, ECSClient } from '@aws-sdk/client-ecs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseJsonDocument, runCli } from './helpers/cli.js';
import { motoClientConfig, resetMoto } from './helpers/moto.js';

// Unknown clusters, services and task definitions are the user's input being wrong: exit 2, named.
beforeAll(async () => {
  await resetMoto();
  await new ECSClient(motoClientConfig()).send(new CreateClusterCommand({ clusterName: 'prod' }));
});

describe('unknown resources exit 2 and name what was not found', () => {
  it.each([
    [['secrets', 'check', '--task-def', 'nope:3'], 'Task definition not found: nope:3'],
    [['secrets', 'migrate', '--task-def', 'nope'], 'Task definition not found: nope'],
    [['secrets', 'check', '--cluster', 'nocluster', '--service', 'web'], 'Cluster not found: nocluster'],
    [['secrets', 'check', '--cluster', 'prod', '--service', 'nosvc'], 'Service not found in prod: nosvc'],
    [
      ['alarm', 'create', '--cluster', 'nocluster', '--all-services', '--yes'],
      'Cluster not found: nocluster',
    ],
    [['insights', 'enable', '--cluster', 'nocluster', '--yes'], 'Cluster not found: nocluster'],
  ])('ecsops %j', async (args, message) => {
    const res = await runCli(args);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(message);
    expect(res.stdout).toBe('');
  });

  it('--json turns the same error into one error document', async () => {
    const res = await runCli(['secrets', 'check', '--task-def', 'nope', '--json']);
    expect(res.code).toBe(2);
    expect(parseJsonDocument(res)).toMatchObject({
      schemaVersion: 1,
      command: 'secrets check',
      error: { exitCode: 2, type: 'ResourceNotFoundError', message: 'Task definition not found: nope' },
    });
  });
});
