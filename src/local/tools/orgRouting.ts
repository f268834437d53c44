/**
 * How an event of an organization reaches the audit stack: the member stack (member-template.yaml)
 * in the event's account and Region forwards it, when one of its rules matches, to the audit
 * account's bus in the audit Region, where the audit stack's own rules pick it up. The audit
 * account's events in the audit Region are on that bus already (its member stack forwards nothing
 * there). The member rules are read from the template with its conditions resolved for that
 * account and Region, as CloudFormation would create them.
 */
import { matchesPattern } from './eventPattern.ts';
import { resolveIntrinsics } from './intrinsics.ts';
import { loadTemplate, parameterDefaults, type Template } from './template.ts';

export interface Organization {
  readonly id: string;
  readonly auditAccountId: string;
  /** The Region the audit stack is deployed in (the member stacks' AuditRegion). */
  readonly auditRegion: string;
}

/** Where an event goes: to the audit stack (with the rule that forwarded it), or nowhere. */
export type OrgRoute =
  | { readonly kind: 'audit'; readonly forwardedBy?: string }
  | { readonly kind: 'not-forwarded'; readonly reason: string };

const forwardRules = (member: Template) =>
  Object.entries(member.body.Resources).filter(([, r]) => r.Type === 'AWS::Events::Rule');

/** The member stack's parameters for the organization (the ones StackSets would be given). */
const memberParameters = (member: Template, org: Organization): Record<string, string> => ({
  ...parameterDefaults(member),
  AuditAccountId: org.auditAccountId,
  AuditRegion: org.auditRegion,
  OrganizationId: org.id,
});

/** Whether condition `name` of the member template holds in `accountId` and `region`. */
const holds = (member: Template, name: string, ctx: object): boolean =>
  resolveIntrinsics(member, { Condition: name }, ctx) === true;

export const routeInOrganization = (
  member: Template,
  org: Organization,
  event: { readonly account: string; readonly region: string },
): OrgRoute => {
  if (event.account === org.auditAccountId && event.region === org.auditRegion) return { kind: 'audit' };
  const ctx = { accountId: event.account, region: event.region, parameters: memberParameters(member, org) };
  for (const [logicalId, rule] of forwardRules(member)) {
    if (rule.Condition !== undefined && !holds(member, rule.Condition, ctx)) continue;
    const pattern = rule.Properties?.EventPattern;
    if (pattern !== undefined && matchesPattern(pattern, event))
      return { kind: 'audit', forwardedBy: logicalId };
  }
  return {
    kind: 'not-forwarded',
    reason: `no rule of member-template.yaml in ${event.account} ${event.region} forwards this event`,
  };
};

/** The organization a world describes, with the member template its accounts deploy; none for one account. */
export const organizationOf = async (
  world: { readonly organization?: { readonly id: string; readonly auditAccountId: string } | undefined },
  auditRegion: string,
  memberTemplatePath: string,
): Promise<{ readonly org: Organization; readonly member: Template } | undefined> => {
  if (world.organization === undefined) return undefined;
  const { id, auditAccountId } = world.organization;
  return { org: { id, auditAccountId, auditRegion }, member: await loadTemplate(memberTemplatePath) };
};
