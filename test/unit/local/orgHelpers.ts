/** A small organization world for the local endpoint tests: an audit account and two members. */
import { parseWorld, type World } from '../../../src/local/world/world.ts';
import { RUN_SHELL } from './localAwsHelpers.ts';

export const ORG = 'o-a1b2c3d4e5';
export const AUDIT = '111122223333';
export const MEMBER = '444455556666';
/** A member without the member role. */
export const BARE = '555566667777';
export const MEMBER_ROLE = 'ssm-runas-auditor-member';
export const roleArn = (account: string, name = MEMBER_ROLE) => `arn:aws:iam::${account}:role/${name}`;

/** An audit account user's key (not an audit function) and a member user's key. */
export const SECOPS_KEY = { accessKeyId: 'AKIASECOPSAUDIT00001', secretAccessKey: 'not-checked' };
export const ALICE_KEY = { accessKeyId: 'AKIAALICEMEMBER00001', secretAccessKey: 'not-checked' };

/** The member template's trust: the audit functions' roles, from the organization only. */
export const memberTrust = (extra: Record<string, string> = {}) => ({
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'AuditFunctionsOnly',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${AUDIT}:root` },
      Action: 'sts:AssumeRole',
      Condition: {
        ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${AUDIT}:role/ssm-runas-auditor/*` },
        StringEquals: { 'aws:PrincipalOrgID': ORG, ...extra },
      },
    },
  ],
});

const region = (runAsDefaultUser: string) => ({
  documents: [
    {
      name: 'SSM-SessionManagerRunShell',
      content: { ...RUN_SHELL, inputs: { runAsEnabled: true, runAsDefaultUser } },
    },
  ],
});

/** The organization as a world file gives it (before parsing). */
export function orgWorldJson(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    organization: { id: ORG, managementAccountId: MEMBER, auditAccountId: AUDIT },
    now: '2026-03-01T00:00:00Z',
    accounts: [
      {
        accountId: AUDIT,
        iam: { users: [{ userName: 'secops', accessKeyIds: [SECOPS_KEY.accessKeyId] }] },
        regions: { 'us-east-1': region('audit-user') },
      },
      {
        accountId: MEMBER,
        iam: {
          users: [
            { userName: 'alice', tags: { SSMSessionRunAs: 'alice' }, accessKeyIds: [ALICE_KEY.accessKeyId] },
          ],
          roles: [
            { roleName: MEMBER_ROLE, trustPolicy: memberTrust() },
            { roleName: 'external-id-member', trustPolicy: memberTrust({ 'sts:ExternalId': 'runas-7f3a' }) },
          ],
        },
        regions: { 'us-east-1': region('member-user'), 'eu-west-1': region('member-eu-user') },
      },
      {
        accountId: BARE,
        iam: { users: [{ userName: 'carol', tags: { SSMSessionRunAs: 'carol' } }] },
        regions: { 'us-east-1': region('bare-user') },
      },
    ],
    ...overrides,
  };
}

export const orgWorld = (overrides: Record<string, unknown> = {}): World =>
  parseWorld(orgWorldJson(overrides));
