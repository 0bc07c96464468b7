/** The fleet runner: accounts resolved, credentials per account, per-account failure, one output. */
import {
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AwsClients, CredentialProvider } from '../../src/aws/clients.js';
import { createAwsClients } from '../../src/aws/clients.js';
import { createOrganizationsApi } from '../../src/aws/organizations.js';
import { accountsUnder, type FleetRunDeps, fleetExitCode, runFleet } from '../../src/cli/fleet.js';
import type { CommandContext, FleetOptions } from '../../src/commands/context.js';
import { ExitCode, InterruptedError } from '../../src/errors.js';
import type { AccountOutcome } from '../../src/output/fleet.js';
import { type CommandResult, present, type ResultView } from '../../src/output/present.js';
import { createTestContext } from '../helpers/test-context.js';

const sts = mockClient(STSClient);
const orgs = mockClient(OrganizationsClient);
const CALLER = '123456789012';
const A = '111111111111';
const B = '222222222222';

interface EchoResult extends CommandResult {
  account: string | undefined;
  key: string;
}
const echoView: ResultView<EchoResult> = {
  human: (r, out) => out.result(`key=${r.key}`),
  json: (r) => ({ key: r.key }),
};

function fleet(overrides: Partial<FleetOptions> = {}): FleetOptions {
  return { accounts: [A, B], org: false, orgUnits: [], exclude: [], assumeRole: 'ops', ...overrides };
}

/** Deps whose clients report which credentials they were built on. */
function deps(overrides: Partial<FleetRunDeps> = {}) {
  const built: CredentialProvider[] = [];
  const d: FleetRunDeps = {
    clientsFor: (credentials) => {
      built.push(credentials);
      return {
        ...createAwsClients({ maxAttempts: 1, userAgent: 't' }),
        credentials,
      } as unknown as AwsClients;
    },
    reportError: (error, out) => {
      out.error(error instanceof Error ? error.message : String(error));
      return error instanceof InterruptedError ? ExitCode.interrupted : ExitCode.aws;
    },
    errorDocument: (error, exitCode) => ({ exitCode, message: error instanceof Error ? error.message : '' }),
    mutating: false,
    prompts: false,
    localFileFlags: [],
    ...overrides,
  };
  return { deps: d, built };
}

/** A command body that presents which account and credentials it ran with. */
async function echo(ctx: CommandContext): Promise<ExitCode> {
  const credentials = (ctx.aws as unknown as { credentials?: CredentialProvider }).credentials;
  const key = credentials ? (await credentials()).accessKeyId : 'caller';
  ctx.out.info('working');
  return present(ctx.out, { exitCode: ExitCode.ok, account: ctx.account, key }, echoView);
}

beforeEach(() => {
  sts.on(GetCallerIdentityCommand).resolves({ Account: CALLER, Arn: `arn:aws:iam::${CALLER}:user/me` });
  sts
    .on(AssumeRoleCommand)
    .callsFake((input: { RoleArn: string; RoleSessionName: string; ExternalId?: string }) => {
      if (input.RoleArn.includes(B))
        throw Object.assign(new Error('not authorized to perform sts:AssumeRole'), {
          name: 'AccessDenied',
          $metadata: {},
        });
      const account = input.RoleArn.split(':')[4];
      return {
        Credentials: {
          AccessKeyId: `AK-${account}-${input.RoleSessionName}-${input.ExternalId ?? ''}`,
          SecretAccessKey: 's',
          SessionToken: 't',
          Expiration: new Date(Date.now() + 3600_000),
        },
      };
    });
});
afterEach(() => {
  sts.reset();
  orgs.reset();
});

describe('runFleet', () => {
  it('runs the command once per account on that account’s assumed-role credentials, the caller’s own on its own', async () => {
    const t = createTestContext({ global: { json: true } });
    const { deps: d } = deps();
    const code = await runFleet(
      t.ctx,
      fleet({ accounts: [A, CALLER], externalId: 'ext-1', roleSessionName: 'rb' }),
      echo,
      d,
    );
    expect(code).toBe(ExitCode.ok);
    const doc = JSON.parse(t.stdout());
    expect(doc.accounts).toEqual([
      { account: A, key: `AK-${A}-rb-ext-1`, status: 'done', exitCode: 0 },
      { account: CALLER, key: 'caller', status: 'done', exitCode: 0 },
    ]);
    expect(sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input)).toEqual([
      { RoleArn: `arn:aws:iam::${A}:role/ops`, RoleSessionName: 'rb', ExternalId: 'ext-1' },
    ]);
    expect(t.stderr()).toContain(`[${A}] working`);
  });

  it('reports a denied AssumeRole for that account (role, account, trust fix) and runs the others', async () => {
    const t = createTestContext();
    const { deps: d } = deps({
      reportError: (error, out) => {
        out.error((error as Error).message);
        out.info(`hint: ${(error as { hint?: string }).hint}`);
        return ExitCode.aws;
      },
    });
    const code = await runFleet(t.ctx, fleet(), echo, d);
    expect(code).toBe(ExitCode.aws);
    expect(t.stdout()).toContain(`== account ${A} ==\nkey=AK-${A}`);
    expect(t.stdout()).not.toContain(`== account ${B} ==`);
    expect(t.stderr()).toContain(`[${B}] Could not assume role arn:aws:iam::${B}:role/ops in account ${B}`);
    expect(t.stderr()).toContain(
      `trust policy of arn:aws:iam::${B}:role/ops must allow sts:AssumeRole for arn:aws:iam::${CALLER}:user/me`,
    );
    expect(t.stderr()).toContain(`2 account(s): 1 done, 1 failed (${B}).`);
  });

  it('makes a mutating run partial (4) when one account failed and another finished', async () => {
    const t = createTestContext({ global: { json: true } });
    const code = await runFleet(t.ctx, fleet(), echo, deps({ mutating: true }).deps);
    expect(code).toBe(ExitCode.partial);
    expect(JSON.parse(t.stdout()).exitCode).toBe(4);
  });

  it('runs accounts one at a time when a person answers prompts, and names the account in the question', async () => {
    const t = createTestContext({ interactive: true, answer: true });
    let running = 0;
    let most = 0;
    const body = async (ctx: CommandContext) => {
      running++;
      most = Math.max(most, running);
      await ctx.confirm('Apply 1 change(s)?');
      ctx.out.result('plan line');
      await new Promise((r) => setTimeout(r, 5));
      running--;
      return present(ctx.out, { exitCode: ExitCode.ok, account: ctx.account, key: 'k' }, echoView);
    };
    await runFleet(
      t.ctx,
      fleet({ accounts: [A, CALLER] }),
      body,
      deps({ mutating: true, prompts: true }).deps,
    );
    expect(most).toBe(1);
    expect(t.prompts).toEqual([
      `[account ${A}] Apply 1 change(s)?`,
      `[account ${CALLER}] Apply 1 change(s)?`,
    ]);
    // Streamed under the account's heading, so the plan was visible before the prompt's answer.
    expect(t.stdout().indexOf(`== account ${A} ==\nplan line`)).toBe(0);
  });

  it('runs accounts concurrently within --concurrency otherwise', async () => {
    const t = createTestContext({ global: { concurrency: 2 } });
    let running = 0;
    let most = 0;
    const body = async (ctx: CommandContext) => {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, 10));
      running--;
      return present(ctx.out, { exitCode: ExitCode.ok, account: ctx.account, key: 'k' }, echoView);
    };
    const accounts = ['111111111111', '123456789012', '333333333333', '444444444444'];
    await runFleet(t.ctx, fleet({ accounts }), body, deps().deps);
    expect(most).toBe(2);
  });

  it('stops starting accounts on Ctrl-C and reports them as not started', async () => {
    const t = createTestContext({ global: { concurrency: 1, json: true } });
    const body = async (ctx: CommandContext) => {
      t.abort.abort();
      return present(ctx.out, { exitCode: ExitCode.ok, account: ctx.account, key: 'k' }, echoView);
    };
    const code = await runFleet(t.ctx, fleet({ accounts: [A, CALLER] }), body, deps().deps);
    expect(code).toBe(ExitCode.interrupted);
    expect(JSON.parse(t.stdout()).accounts.map((a: { status: string }) => a.status)).toEqual([
      'done',
      'not-started',
    ]);
  });

  it('--org takes the ACTIVE accounts ListAccounts pages through, minus --exclude-accounts', async () => {
    orgs
      .on(ListAccountsCommand)
      .resolvesOnce({
        Accounts: [
          { Id: A, State: 'ACTIVE' },
          { Id: '999999999999', State: 'SUSPENDED' },
        ],
        NextToken: 'p2',
      })
      .resolvesOnce({
        Accounts: [
          { Id: CALLER, Status: 'ACTIVE' },
          { Id: '333333333333', State: 'ACTIVE' },
        ],
      });
    const t = createTestContext({ global: { json: true } });
    await runFleet(t.ctx, fleet({ accounts: [], org: true, exclude: ['333333333333'] }), echo, deps().deps);
    expect(JSON.parse(t.stdout()).accounts.map((a: { account: string }) => a.account)).toEqual([A, CALLER]);
    // Two pages at the largest page size (the paginator reuses one input object, so only the last state shows).
    const calls = orgs.commandCalls(ListAccountsCommand);
    expect(calls).toHaveLength(2);
    expect(calls.every((c) => c.args[0].input.MaxResults === 20)).toBe(true);
  });

  it('refuses one local output file (--out, --in-place) for several accounts, before assuming any role', async () => {
    const t = createTestContext();
    const { deps: d } = deps({ localFileFlags: ['--out'] });
    await expect(runFleet(t.ctx, fleet({ accounts: [A, CALLER] }), echo, d)).rejects.toThrow(
      /--out writes one local file, but this run covers 2 accounts/,
    );
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(0);
    // One account: the file is that account's, as without --accounts.
    expect(await runFleet(t.ctx, fleet({ accounts: [A] }), echo, d)).toBe(ExitCode.ok);
  });

  it('an empty selection is a usage error', async () => {
    const t = createTestContext();
    await expect(runFleet(t.ctx, fleet({ accounts: [A], exclude: [A] }), echo, deps().deps)).rejects.toThrow(
      /No accounts to run in/,
    );
  });
});

describe('accountsUnder (--org-ou)', () => {
  it('walks the OU and its child OUs, paging each listing, ACTIVE accounts only', async () => {
    const tree: Record<string, { accounts: { Id: string; State: string }[]; units: string[] }> = {
      'ou-root-aaaaaaaa': {
        accounts: [{ Id: A, State: 'ACTIVE' }],
        units: ['ou-root-bbbbbbbb', 'ou-root-cccccccc'],
      },
      'ou-root-bbbbbbbb': {
        accounts: [
          { Id: B, State: 'ACTIVE' },
          { Id: '999999999999', State: 'CLOSED' },
        ],
        units: ['ou-root-dddddddd'],
      },
      'ou-root-cccccccc': { accounts: [], units: [] },
      'ou-root-dddddddd': { accounts: [{ Id: '333333333333', State: 'ACTIVE' }], units: [] },
    };
    orgs.on(ListAccountsForParentCommand).callsFake((input: { ParentId: string; NextToken?: string }) => {
      const all = tree[input.ParentId]?.accounts ?? [];
      // Two pages where there are two accounts.
      return input.NextToken
        ? { Accounts: all.slice(1) }
        : { Accounts: all.slice(0, 1), ...(all.length > 1 ? { NextToken: 'n' } : {}) };
    });
    orgs.on(ListOrganizationalUnitsForParentCommand).callsFake((input: { ParentId: string }) => ({
      OrganizationalUnits: (tree[input.ParentId]?.units ?? []).map((Id) => ({ Id })),
    }));
    const api = createOrganizationsApi(new OrganizationsClient({ region: 'us-east-1' }));
    expect((await accountsUnder(api, ['ou-root-aaaaaaaa'], 2)).sort()).toEqual([A, B, '333333333333'].sort());
    expect(
      orgs.commandCalls(ListAccountsForParentCommand).every((c) => c.args[0].input.MaxResults === 20),
    ).toBe(true);
  });
});

describe('fleetExitCode', () => {
  const done = (exitCode: ExitCode): AccountOutcome => ({
    account: A,
    status: 'done',
    exitCode,
    capture: { text: [] },
  });
  const failed = (exitCode: ExitCode): AccountOutcome => ({
    account: B,
    status: 'failed',
    exitCode,
    capture: { text: [] },
    error: {},
  });
  it('is the worst account’s; a failed account in a mutating run with others done is partial', () => {
    expect(fleetExitCode([done(0), done(1)], false)).toBe(1);
    expect(fleetExitCode([done(0), failed(3)], false)).toBe(3);
    expect(fleetExitCode([done(0), failed(3)], true)).toBe(4);
    expect(fleetExitCode([failed(3), failed(2)], true)).toBe(3);
    expect(fleetExitCode([done(0), failed(130)], true)).toBe(130);
  });
});
