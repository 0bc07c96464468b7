/**
 * AWS Organizations: the member accounts a fleet run (`--org`, `--org-ou`) covers. Every listing is
 * paged with the SDK's paginators at the largest page size the API takes (20). Organizations calls
 * must be made from the management account or a delegated administrator; see docs/fleet.md.
 */
import type { Account, OrganizationsClient } from '@aws-sdk/client-organizations';
import { awsCall } from './call.js';
import { sdk } from './sdk.js';

const { paginateListAccounts, paginateListAccountsForParent, paginateListOrganizationalUnitsForParent } = sdk(
  '@aws-sdk/client-organizations',
);

/** ListAccounts, ListAccountsForParent and ListOrganizationalUnitsForParent take at most 20 per page. */
const PAGE_SIZE = 20;

/** One account of the organization. */
export interface OrganizationAccount {
  id: string;
  name: string;
  /** ACTIVE, SUSPENDED, PENDING_CLOSURE, CLOSED, ... (`State`, or the older `Status` where absent). */
  state: string;
}

function toAccount(a: Account): OrganizationAccount {
  return { id: a.Id ?? '', name: a.Name ?? '', state: a.State ?? a.Status ?? 'UNKNOWN' };
}

/** Every account of the organization, whatever its state. */
async function listAccounts(org: OrganizationsClient): Promise<OrganizationAccount[]> {
  return awsCall(
    { operation: 'organizations:ListAccounts', iamAction: 'organizations:ListAccounts' },
    async () => {
      const accounts: OrganizationAccount[] = [];
      for await (const page of paginateListAccounts({ client: org, pageSize: PAGE_SIZE }, {})) {
        for (const a of page.Accounts ?? []) accounts.push(toAccount(a));
      }
      return accounts;
    },
  );
}

/** The accounts directly under a root or OU. */
async function listAccountsForParent(
  org: OrganizationsClient,
  parentId: string,
): Promise<OrganizationAccount[]> {
  return awsCall(
    {
      operation: 'organizations:ListAccountsForParent',
      iamAction: 'organizations:ListAccountsForParent',
      resource: parentId,
      notFound: {
        match: (code) => code === 'ParentNotFoundException',
        resourceType: 'Organizational unit',
        hint: 'List OUs with: aws organizations list-organizational-units-for-parent --parent-id <root or OU id>',
      },
    },
    async () => {
      const accounts: OrganizationAccount[] = [];
      for await (const page of paginateListAccountsForParent(
        { client: org, pageSize: PAGE_SIZE },
        { ParentId: parentId },
      )) {
        for (const a of page.Accounts ?? []) accounts.push(toAccount(a));
      }
      return accounts;
    },
  );
}

/** The OU ids directly under a root or OU. */
async function listChildUnits(org: OrganizationsClient, parentId: string): Promise<string[]> {
  return awsCall(
    {
      operation: 'organizations:ListOrganizationalUnitsForParent',
      iamAction: 'organizations:ListOrganizationalUnitsForParent',
      resource: parentId,
      notFound: {
        match: (code) => code === 'ParentNotFoundException',
        resourceType: 'Organizational unit',
      },
    },
    async () => {
      const ids: string[] = [];
      for await (const page of paginateListOrganizationalUnitsForParent(
        { client: org, pageSize: PAGE_SIZE },
        { ParentId: parentId },
      )) {
        for (const ou of page.OrganizationalUnits ?? []) if (ou.Id) ids.push(ou.Id);
      }
      return ids;
    },
  );
}

/** The Organizations operations ecsops makes. */
export interface OrganizationsApi {
  listAccounts(): Promise<OrganizationAccount[]>;
  listAccountsForParent(parentId: string): Promise<OrganizationAccount[]>;
  listChildUnits(parentId: string): Promise<string[]>;
}

/** Binds the Organizations operations to a client. */
export function createOrganizationsApi(org: OrganizationsClient): OrganizationsApi {
  return {
    listAccounts: () => listAccounts(org),
    listAccountsForParent: (parentId) => listAccountsForParent(org, parentId),
    listChildUnits: (parentId) => listChildUnits(org, parentId),
  };
}
