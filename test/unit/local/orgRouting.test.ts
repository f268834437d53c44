/** Replay's routing of an organization's events through member-template.yaml to the audit stack. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Organization, routeInOrganization } from '../../../src/local/tools/orgRouting.ts';
import { loadTemplate, type Template } from '../../../src/local/tools/template.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const ORG: Organization = { id: 'o-a1b2c3d4e5', auditAccountId: '111122223333', auditRegion: 'eu-west-1' };
const MEMBER = '444455556666';

let member: Template;
const fixture = async (name: string, account: string, region: string) => {
  const event = JSON.parse(await readFile(path.join(ROOT, 'events', name), 'utf8')) as Record<
    string,
    unknown
  >;
  return { ...event, account, region };
};

beforeAll(async () => {
  member = await loadTemplate(path.join(ROOT, 'member-template.yaml'));
});

describe('an organization event', () => {
  it.each([
    ['startsession-compliant-iamuser-tag.json', MEMBER, 'us-east-1', 'StartSessionForwardRule'],
    ['startsession-compliant-iamuser-tag.json', ORG.auditAccountId, 'us-east-1', 'StartSessionForwardRule'],
    ['iam-taguser-runas.json', MEMBER, 'us-east-1', 'PrincipalChangeForwardRule'],
    [
      'sts-assumerolewithsaml-identity-center-eu-west-1.json',
      MEMBER,
      'eu-west-1',
      'StsPrincipalTagsForwardRule',
    ],
  ])('%s in %s %s is forwarded by %s', async (name, account, region, rule) => {
    // Act
    const route = routeInOrganization(member, ORG, await fixture(name, account, region));

    // Assess
    expect(route).toEqual({ kind: 'audit', forwardedBy: rule });
  });

  it('of the audit account in the audit Region is on the audit bus already', async () => {
    // Act
    const route = routeInOrganization(
      member,
      ORG,
      await fixture('startsession-compliant-iamuser-tag.json', ORG.auditAccountId, ORG.auditRegion),
    );

    // Assess
    expect(route).toEqual({ kind: 'audit' });
  });

  it.each([
    // IAM's events exist only in us-east-1; no member stack elsewhere forwards them.
    ['iam-taguser-runas.json', 'eu-west-1'],
    // The flood of untagged AssumeRoles stays in the member account.
    ['sts-assumerole-untagged.json', 'us-east-1'],
  ])('%s in %s is not forwarded', async (name, region) => {
    // Act
    const route = routeInOrganization(member, ORG, await fixture(name, MEMBER, region));

    // Assess
    expect(route).toEqual({
      kind: 'not-forwarded',
      reason: `no rule of member-template.yaml in ${MEMBER} ${region} forwards this event`,
    });
  });
});
