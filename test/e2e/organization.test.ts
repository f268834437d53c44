/**
 * One deployment for an organization, end to end: events of three accounts in two Regions
 * (events/org/), routed through member-template.yaml's forwarding rules to the audit stack in its
 * Region, handled with each member's credentials (sts:AssumeRole of the member role, its trust
 * policy enforced by the local endpoint), findings imported into the member account and Region.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalAws, startLocalAws } from '../../src/local/services/server.ts';
import { sortByEventTime } from '../../src/local/tools/eventInput.ts';
import type { ReplayEvaluation, ReplayResult } from '../../src/local/tools/replay.ts';
import { tableSpecsOf } from '../../src/local/tools/tableSpec.ts';
import { loadTemplate } from '../../src/local/tools/template.ts';
import { loadWorld } from '../../src/local/world/world.ts';
import { auditRuns, ROOT, readEvents, replayAll } from './replayHelpers.ts';

const AUDIT = '111122223333';
const MEMBER = '444455556666';
const WITHOUT_ROLE = '555566667777';
const EVENTS = [
  'org/sts-assumerole-untagged-member.json',
  'org/startsession-member-identity-center-dana.json',
  'org/startsession-member-eu-west-1-bob.json',
  'org/iam-taguser-member-alice-root.json',
  'org/startsession-member-without-role-carol.json',
];

let local: LocalAws;
let result: ReplayResult;

const evaluationOf = (file: string): ReplayEvaluation => {
  const evaluation = result.evaluations.find((e) => e.event.endsWith(path.basename(file)));
  if (evaluation === undefined) throw new Error(`no evaluation of ${file}`);
  return evaluation;
};
const resultOf = (file: string) => auditRuns(evaluationOf(file))[0]?.result as Record<string, unknown>;

beforeAll(async () => {
  const world = await loadWorld(path.join(ROOT, 'src/local/world/org-world.json'));
  const template = await loadTemplate(path.join(ROOT, 'template.yaml'));
  local = await startLocalAws(world, { dynamo: { tables: tableSpecsOf(template) } });
  result = await replayAll(sortByEventTime(await readEvents(EVENTS)), { world, local });
}, 120_000);

afterAll(async () => {
  await local?.close();
});

describe('an organization world replayed through the member stacks', () => {
  it('leaves in the member account what no member rule forwards (an untagged AssumeRole)', () => {
    // Assess
    expect(evaluationOf(EVENTS[0] as string)).toMatchObject({ runs: [] });
  });

  it('audits an IAM Identity Center session of a member with the session tag its AssumeRoleWithSAML recorded there', () => {
    // Assess
    expect(resultOf(EVENTS[1] as string)).toMatchObject({
      outcome: 'COMPLIANT',
      expectedUser: 'dana',
      expectedUserSource: 'session-tag',
      region: 'us-east-1',
    });
  });

  it('imports a member session’s finding into that member account and Region, not the audit account', () => {
    // Prepare
    const findingId = resultOf(EVENTS[2] as string)?.findingId;

    // Assess
    expect(resultOf(EVENTS[2] as string)).toMatchObject({ outcome: 'RAN_AS_SSM_USER', region: 'eu-west-1' });
    expect(local.findings('eu-west-1', MEMBER).map((f) => f.Id)).toContain(findingId);
    expect(local.findings(undefined, AUDIT).map((f) => f.Id)).not.toContain(findingId);
    expect(local.findings('eu-west-1', MEMBER).find((f) => f.Id === findingId)?.AwsAccountId).toBe(MEMBER);
  });

  it('judges a tag change in a member’s IAM (forwarded from its us-east-1) and writes it there', () => {
    // Prepare
    const principal = resultOf(EVENTS[3] as string);

    // Assess
    expect(principal).toMatchObject({ check: 'principal' });
    expect(JSON.stringify(principal)).toContain('DISALLOWED_RUN_AS_USER');
    const ids = local.findings('us-east-1', MEMBER).map((f) => f.Id);
    expect(ids.some((id) => id.includes('/principal/'))).toBe(true);
  });

  it('fails only the member without the role, naming the account, until its event is dead-lettered', () => {
    // Prepare
    const failed = result.evaluations.filter((e) => e.runs.some((r) => r.error !== undefined));

    // Assess
    expect(failed.map((e) => path.basename(e.event))).toEqual([path.basename(EVENTS[4] as string)]);
    expect(failed[0]?.runs[0]?.error).toMatchObject({ errorType: 'MemberRoleError' });
    expect(failed[0]?.runs[0]?.error?.errorMessage).toContain(`cannot audit account ${WITHOUT_ROLE}`);
    expect(result.deadLetters.map((d) => [path.basename(d.event), d.error.errorType])).toEqual([
      [path.basename(EVENTS[4] as string), 'MemberRoleError'],
    ]);
    expect(local.findings(undefined, WITHOUT_ROLE)).toEqual([]);
  });

  it('assumes each member role once for the whole replay (the credentials are reused)', () => {
    // Assess: the member with the role, and the refused one (its refusal is remembered).
    expect(result.calls['sts:AssumeRole']).toBeLessThanOrEqual(3);
    expect(result.calls['sts:AssumeRole']).toBeGreaterThanOrEqual(2);
  });
});
