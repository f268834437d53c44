/**
 * Change events through replay: IAM tag, create and delete events and Session document events are
 * routed by the template's rules, applied to the local world, and run through the real change
 * handlers and SDK against the local endpoint. What Security Hub stores is checked field by field.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { DescribeSessionsCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { subjectDigest } from '../../src/findings/findingId.ts';
import { type LocalAws, startLocalAws } from '../../src/local/services/server.ts';
import type { ReplayResult } from '../../src/local/tools/replay.ts';
import { parseWorld, type StoredFinding, type World } from '../../src/local/world/world.ts';
import {
  auditRuns,
  findingById,
  onlyRun,
  REPORT_ALL,
  ROOT,
  readEvents,
  replayAll,
  withDetail,
} from './replayHelpers.ts';

const ACCOUNT = '111122223333';
const US = 'us-east-1';
const EU = 'eu-west-1';
const BOTH_REGIONS = { AUDITED_REGIONS: `${US},${EU}` };

const OPERATORS = `arn:aws:iam::${ACCOUNT}:role/ops/Operators`;
const DB_ADMINS = `arn:aws:iam::${ACCOUNT}:role/DbAdmins`;
const DAVE = `arn:aws:iam::${ACCOUNT}:user/contractors/dave`;
const RUN_SHELL = 'SSM-SessionManagerRunShell';

const TAG_ROOT = 'iam-tagrole-runas-root.json';
const TAG_FIXED = 'iam-tagrole-runas-fixed.json';
const CREATE_DB_ADMINS = 'iam-createrole-with-runas-tag.json';
const RUN_AS_OFF_DRAFT = 'ssm-updatedocument-runshell-off.json';
const RUN_AS_OFF = 'ssm-updatedocumentdefaultversion-runshell.json';
const RUN_AS_ON_DRAFT = 'ssm-updatedocument-runshell-on.json';
const RUN_AS_ON = 'ssm-updatedocumentdefaultversion-runshell-on.json';

/** Users the scenarios expect a compliant mapping to give: present on every node with inventory. */
const MAPPED_USERS = ['ec2-user', 'opsadmin'];

/**
 * The demo world with MAPPED_USERS on every Linux/macOS node whose users are known, so a compliant
 * posture stays compliant whatever the Region's fleet is checked for.
 */
const changeWorld = async (): Promise<World> => {
  const json = JSON.parse(await readFile(path.join(ROOT, 'src/local/world/demo-world.json'), 'utf8')) as {
    regions: Record<string, { nodes: { platform: string; users?: (string | { name: string })[] }[] }>;
  };
  for (const region of Object.values(json.regions)) {
    for (const node of region.nodes) {
      if (node.platform === 'Windows' || node.users === undefined) continue;
      const names = new Set(node.users.map((user) => (typeof user === 'string' ? user : user.name)));
      node.users = [...node.users, ...MAPPED_USERS.filter((user) => !names.has(user))];
    }
  }
  return parseWorld(json);
};

const idOf = (region: string, check: string, subject: string): string =>
  `${ACCOUNT}/${region}/ssm-runas/${check}/${subject}`;
const at = (time: string): string => `2026-03-01T${time}.000Z`;

/** The fields a finding is judged on. */
interface Seen {
  readonly Id: string;
  readonly CreatedAt: string;
  readonly UpdatedAt: string;
  readonly Status: string | undefined;
  readonly Severity: string | undefined;
  readonly RecordState: string;
  readonly Check: string | undefined;
  readonly Outcome: string | undefined;
  readonly Title: string;
}

const seen = (findings: readonly StoredFinding[], id: string): Seen => {
  const finding = findingById(findings, id);
  if (finding === undefined) throw new Error(`no stored finding ${id}`);
  return {
    Id: finding.Id,
    CreatedAt: finding.CreatedAt,
    UpdatedAt: finding.UpdatedAt,
    Status: finding.Compliance?.Status,
    Severity: finding.Severity.Label,
    RecordState: finding.RecordState,
    Check: finding.ProductFields?.['RunAs/Check'],
    Outcome: finding.ProductFields?.['RunAs/Outcome'],
    Title: finding.Title,
  };
};

const withCheck = (findings: readonly StoredFinding[], check: string): StoredFinding[] =>
  findings.filter((f) => f.ProductFields?.['RunAs/Check'] === check);

let world: World;
let local: LocalAws;

beforeEach(async () => {
  world = await changeWorld();
  local = await startLocalAws(world);
});

afterEach(async () => {
  await local.close();
});

/** Replays events on the shared endpoint; each must reach exactly one function and succeed. */
const replayOn = async (
  endpoint: LocalAws,
  names: readonly string[],
  parameters: Readonly<Record<string, string>> = {},
): Promise<ReplayResult> => {
  const result = await replayAll(await readEvents(names), {
    world,
    local: endpoint,
    envVars: { Parameters: { ...REPORT_ALL.Parameters, ...parameters } },
  });
  // Every delivery (a duplicate too) reached exactly one auditing function, and every function succeeded.
  expect(result.evaluations.map((e) => e.event)).toEqual(names);
  for (const evaluation of result.evaluations) {
    expect(auditRuns(evaluation), evaluation.event).toHaveLength(1);
    for (const run of evaluation.runs) expect(run.error, evaluation.event).toBeUndefined();
  }
  return result;
};
const step = (names: readonly string[], parameters?: Readonly<Record<string, string>>) =>
  replayOn(local, names, parameters);

/** The one-Region result of a principal change run (AUDITED_REGIONS left at the deploy Region). */
const principalRegionResult = (result: ReplayResult, name: string) => {
  const run = onlyRun(result, name).result as {
    regions: { region: string; outcome: string; action: string; sessions: unknown }[];
  };
  const [region] = run.regions;
  if (run.regions.length !== 1 || region === undefined) throw new Error(`${name}: expected one Region`);
  return region;
};

describe('a role tag changed to root, then fixed', () => {
  it('is FAILED (DISALLOWED_RUN_AS_USER), then PASSED under the same Id with CreatedAt kept', async () => {
    // Prepare
    const id = idOf(US, 'principal', OPERATORS);

    // Act
    await step([TAG_ROOT]);
    const flagged = seen(local.findings(), id);
    await step([TAG_FIXED]);
    const fixed = seen(local.findings(), id);

    // Assess
    expect(flagged).toEqual({
      Id: id,
      CreatedAt: at('13:00:00'),
      UpdatedAt: at('13:00:00'),
      Status: 'FAILED',
      Severity: 'HIGH',
      RecordState: 'ACTIVE',
      Check: 'principal',
      Outcome: 'DISALLOWED_RUN_AS_USER',
      Title: 'Role Operators maps to "root" in us-east-1',
    });
    expect(fixed).toEqual({
      Id: id,
      CreatedAt: at('13:00:00'),
      UpdatedAt: at('13:05:00'),
      Status: 'PASSED',
      Severity: 'INFORMATIONAL',
      RecordState: 'ACTIVE',
      Check: 'principal',
      Outcome: 'COMPLIANT',
      Title: 'Role Operators maps to "opsadmin" in us-east-1',
    });
    expect(withCheck(local.findings(), 'principal').map((f) => f.Id)).toEqual([id]);
    expect(findingById(local.findings(), id)?.ProductFields?.['RunAs/ChangeEvent']).toBe('TagRole');
  });
});

describe('Run As turned off, then on, in a Region', () => {
  const preferencesId = idOf(US, 'preferences', RUN_SHELL);
  const operatorsId = idOf(US, 'principal', OPERATORS);
  const dbAdminsId = idOf(US, 'principal', DB_ADMINS);

  it('writes the preferences finding and re-evaluates the Region’s principal findings at each step', async () => {
    // Prepare: Operators flagged then fixed (a PASSED finding), DbAdmins created with root (FAILED).
    await step([TAG_ROOT, TAG_FIXED, CREATE_DB_ADMINS], BOTH_REGIONS);
    const europe = local.findings(EU);

    // Act + Assess, one change at a time. Sessions run $LATEST.
    // 1. A version with Run As off becomes $LATEST: sessions run it, although $DEFAULT has Run As on.
    const draftOff = await step([RUN_AS_OFF_DRAFT]);
    expect(seen(local.findings(), preferencesId)).toEqual({
      Id: preferencesId,
      CreatedAt: at('14:00:00'),
      UpdatedAt: at('14:00:00'),
      Status: 'FAILED',
      Severity: 'HIGH',
      RecordState: 'ACTIVE',
      Check: 'preferences',
      Outcome: 'RAN_AS_SSM_USER',
      Title: 'Run As is off in us-east-1: every shell session runs as ssm-user ($DEFAULT version 1 differs)',
    });
    expect(findingById(local.findings(), preferencesId)?.ProductFields).toMatchObject({
      'RunAs/DocumentVersion': '2',
      'RunAs/OtherVersion': '1',
      'RunAs/OtherVersionOutcome': 'COMPLIANT',
    });
    expect(onlyRun(draftOff, RUN_AS_OFF_DRAFT).result).toMatchObject({ principalFindingsReevaluated: 2 });
    expect(seen(local.findings(), operatorsId)).toMatchObject({
      UpdatedAt: at('14:00:00'),
      Outcome: 'RAN_AS_SSM_USER',
    });

    // 2. The default moves to the Run As off version too: both versions agree.
    const off = await step([RUN_AS_OFF]);
    expect(onlyRun(off, RUN_AS_OFF).logicalId).toBe('DocumentChangeFunction');
    expect(seen(local.findings(), preferencesId)).toEqual({
      Id: preferencesId,
      CreatedAt: at('14:00:00'),
      UpdatedAt: at('14:05:00'),
      Status: 'FAILED',
      Severity: 'HIGH',
      RecordState: 'ACTIVE',
      Check: 'preferences',
      Outcome: 'RAN_AS_SSM_USER',
      Title: 'Run As is off in us-east-1: every shell session runs as ssm-user',
    });
    expect(seen(local.findings(), operatorsId)).toEqual({
      Id: operatorsId,
      CreatedAt: at('13:00:00'),
      UpdatedAt: at('14:05:00'),
      Status: 'FAILED',
      Severity: 'HIGH',
      RecordState: 'ACTIVE',
      Check: 'principal',
      Outcome: 'RAN_AS_SSM_USER',
      Title: 'Run As is off in us-east-1: shell sessions of role Operators run as ssm-user',
    });
    expect(seen(local.findings(), dbAdminsId)).toEqual({
      Id: dbAdminsId,
      CreatedAt: at('13:40:00'),
      UpdatedAt: at('14:05:00'),
      Status: 'FAILED',
      Severity: 'HIGH',
      RecordState: 'ACTIVE',
      Check: 'principal',
      Outcome: 'RAN_AS_SSM_USER',
      Title: 'Run As is off in us-east-1: shell sessions of role DbAdmins run as ssm-user',
    });

    // 3. A version with Run As on becomes $LATEST: sessions run it, while $DEFAULT still has it off.
    await step([RUN_AS_ON_DRAFT]);
    expect(seen(local.findings(), preferencesId)).toMatchObject({
      UpdatedAt: at('14:10:00'),
      Status: 'PASSED',
      Outcome: 'COMPLIANT',
      Title: 'Run As is on in us-east-1 with default user "ec2-user" ($DEFAULT version 2 differs)',
    });

    // 4. The default moves to the Run As on version (the new fixture): both versions agree again.
    const on = await step([RUN_AS_ON]);
    expect(onlyRun(on, RUN_AS_ON).logicalId).toBe('DocumentChangeFunction');
    expect(onlyRun(on, RUN_AS_ON).result).toMatchObject({
      action: 'resolved',
      documentVersion: '3',
      otherVersion: '',
      principalFindingsReevaluated: 2,
    });
    expect(seen(local.findings(), preferencesId)).toEqual({
      Id: preferencesId,
      CreatedAt: at('14:00:00'),
      UpdatedAt: at('14:12:00'),
      Status: 'PASSED',
      Severity: 'INFORMATIONAL',
      RecordState: 'ACTIVE',
      Check: 'preferences',
      Outcome: 'COMPLIANT',
      Title: 'Run As is on in us-east-1 with default user "ec2-user"',
    });
    expect(seen(local.findings(), operatorsId)).toEqual({
      Id: operatorsId,
      CreatedAt: at('13:00:00'),
      UpdatedAt: at('14:12:00'),
      Status: 'PASSED',
      Severity: 'INFORMATIONAL',
      RecordState: 'ACTIVE',
      Check: 'principal',
      Outcome: 'COMPLIANT',
      Title: 'Role Operators maps to "opsadmin" in us-east-1',
    });
    expect(seen(local.findings(), dbAdminsId)).toEqual({
      Id: dbAdminsId,
      CreatedAt: at('13:40:00'),
      UpdatedAt: at('14:12:00'),
      Status: 'FAILED',
      Severity: 'HIGH',
      RecordState: 'ACTIVE',
      Check: 'principal',
      Outcome: 'DISALLOWED_RUN_AS_USER',
      Title: 'Role DbAdmins maps to "root" in us-east-1',
    });
    // Another Region's preferences did not change: its findings are untouched.
    expect(local.findings(EU)).toEqual(europe);
    expect(europe.map((f) => f.ProductFields?.['RunAs/Outcome'])).toEqual([
      'RAN_AS_SSM_USER',
      'RAN_AS_SSM_USER',
    ]);
  });
});

describe('a tag removed while its principal has an open session', () => {
  const ssm = (): SSMClient =>
    new SSMClient({
      region: US,
      endpoint: local.url,
      credentials: { accessKeyId: 'AKIDLOCALTEST', secretAccessKey: 'local-secret' },
      maxAttempts: 1,
    });
  const activeSessionIds = async (): Promise<string[]> => {
    const client = ssm();
    try {
      const page = await client.send(new DescribeSessionsCommand({ State: 'Active' }));
      return (page.Sessions ?? []).map((s) => s.SessionId ?? '');
    } finally {
      client.destroy();
    }
  };
  const statusOf = (sessionId: string): string | undefined =>
    local.world.region(US).sessions.find((s) => s.sessionId === sessionId)?.status;

  it.each([
    {
      untag: 'iam-untaguser-runas.json',
      start: 'startsession-compliant-iamuser-tag.json',
      sessionId: 'alice-036d6a6a47a4f04d0',
      time: '13:10:00',
      terminate: false,
      status: 'FAILED',
      severity: 'MEDIUM',
      title: 'Session alice-036d6a6a47a4f04d0 still runs as "alice" after the mapping changed to "ec2-user"',
    },
    {
      untag: 'iam-untaguser-runas.json',
      start: 'startsession-compliant-iamuser-tag.json',
      sessionId: 'alice-036d6a6a47a4f04d0',
      time: '13:10:00',
      terminate: true,
      status: 'PASSED',
      severity: 'INFORMATIONAL',
      title:
        'Session alice-036d6a6a47a4f04d0 was terminated: it ran as "alice" after the mapping changed to "ec2-user"',
    },
    {
      untag: 'iam-untagrole-runas.json',
      start: 'startsession-compliant-role-path-tag.json',
      sessionId: 'alice-06dae17831da5d880',
      time: '13:15:00',
      terminate: false,
      status: 'FAILED',
      severity: 'MEDIUM',
      title:
        'Session alice-06dae17831da5d880 still runs as "opsadmin" after the mapping changed to "ec2-user"',
    },
    {
      untag: 'iam-untagrole-runas.json',
      start: 'startsession-compliant-role-path-tag.json',
      sessionId: 'alice-06dae17831da5d880',
      time: '13:15:00',
      terminate: true,
      status: 'PASSED',
      severity: 'INFORMATIONAL',
      title:
        'Session alice-06dae17831da5d880 was terminated: it ran as "opsadmin" after the mapping changed to "ec2-user"',
    },
  ])(
    '$untag with TERMINATE_STALE_SESSIONS=$terminate: $title',
    async ({ untag, start, sessionId, time, terminate, status, severity, title }) => {
      // Prepare: the session's own finding records the user it runs as (compliant, so reported).
      await step([start]);
      expect(findingById(local.findings(), idOf(US, 'session', sessionId))?.ProductFields).toMatchObject({
        'RunAs/Outcome': 'COMPLIANT',
      });
      expect(await activeSessionIds()).toContain(sessionId);

      // Act
      const result = await step([untag], { TERMINATE_STALE_SESSIONS: String(terminate) });

      // Assess
      const id = idOf(US, 'active-session', sessionId);
      expect(seen(local.findings(), id)).toEqual({
        Id: id,
        CreatedAt: at(time),
        UpdatedAt: at(time),
        Status: status,
        Severity: severity,
        RecordState: 'ACTIVE',
        Check: 'active-session',
        // What a session started now gets: the preferences' default user, which is compliant.
        Outcome: 'COMPLIANT',
        Title: title,
      });
      expect(findingById(local.findings(), id)?.ProductFields).toMatchObject({
        'RunAs/ExpectedUser': 'ec2-user',
        'RunAs/ExpectedUserSource': 'preferences',
        'RunAs/Terminated': String(terminate),
        'RunAs/ChangeEvent': untag.startsWith('iam-untaguser') ? 'UntagUser' : 'UntagRole',
      });
      expect(principalRegionResult(result, untag).sessions).toMatchObject({
        stale: [sessionId],
        terminated: terminate ? [sessionId] : [],
        withoutSessionFinding: [],
      });
      expect(local.calls.snapshot()['ssm:TerminateSession'] ?? 0).toBe(terminate ? 1 : 0);
      expect(statusOf(sessionId)).toBe(terminate ? 'Terminated' : 'Connected');
      if (terminate) expect(await activeSessionIds()).not.toContain(sessionId);
      else expect(await activeSessionIds()).toContain(sessionId);
    },
  );
});

describe('a principal deleted', () => {
  it.each([
    {
      create: CREATE_DB_ADMINS,
      remove: 'iam-deleterole.json',
      arn: DB_ADMINS,
      created: '13:40:00',
      deleted: '13:45:00',
      usOutcome: 'DISALLOWED_RUN_AS_USER',
      title: 'Role DbAdmins was deleted: its Run As mapping no longer applies',
    },
    {
      create: 'iam-createuser-with-runas-tag.json',
      remove: 'iam-deleteuser.json',
      arn: DAVE,
      created: '13:30:00',
      deleted: '13:35:00',
      usOutcome: 'RAN_AS_SSM_USER',
      title: 'User dave was deleted: its Run As mapping no longer applies',
    },
  ])('$remove archives its principal finding in every audited Region', async (row) => {
    // Prepare: the mapping is flagged in both Regions (us-east-1 by its tag, eu-west-1 has Run As off).
    await step([row.create], BOTH_REGIONS);
    const ids = [idOf(US, 'principal', row.arn), idOf(EU, 'principal', row.arn)];
    expect(ids.map((id) => seen(local.findings(), id).Outcome)).toEqual([row.usOutcome, 'RAN_AS_SSM_USER']);
    expect(ids.map((id) => seen(local.findings(), id).RecordState)).toEqual(['ACTIVE', 'ACTIVE']);

    // Act
    await step([row.remove], BOTH_REGIONS);

    // Assess
    for (const id of ids) {
      expect(seen(local.findings(), id)).toEqual({
        Id: id,
        CreatedAt: at(row.created),
        UpdatedAt: at(row.deleted),
        Status: 'NOT_AVAILABLE',
        Severity: 'INFORMATIONAL',
        RecordState: 'ARCHIVED',
        Check: 'principal',
        Outcome: 'NOT_APPLICABLE',
        Title: row.title,
      });
    }
    expect(withCheck(local.findings(), 'principal')).toHaveLength(2);
  });
});

describe('delivery', () => {
  it.each([
    [TAG_ROOT, idOf(US, 'principal', OPERATORS)],
    [RUN_AS_OFF_DRAFT, idOf(US, 'preferences', RUN_SHELL)],
  ])('%s delivered twice leaves one finding, unchanged', async (name, id) => {
    // Prepare: the same change delivered once, on an endpoint of its own.
    const once = await startLocalAws(world);
    try {
      await replayOn(once, [name]);

      // Act
      await step([name, name]);

      // Assess
      expect(local.findings()).toEqual(once.findings());
      expect(local.findings().map((f) => f.Id)).toEqual([id]);
    } finally {
      await once.close();
    }
  });

  it.each([
    {
      steps: [TAG_ROOT, TAG_FIXED],
      late: TAG_ROOT,
      id: idOf(US, 'principal', OPERATORS),
      outcome: 'COMPLIANT',
      updated: '13:05:00',
    },
    {
      steps: [RUN_AS_OFF_DRAFT, RUN_AS_OFF, RUN_AS_ON_DRAFT, RUN_AS_ON],
      late: RUN_AS_OFF,
      id: idOf(US, 'preferences', RUN_SHELL),
      outcome: 'COMPLIANT',
      updated: '14:12:00',
    },
  ])(
    '$late delivered after a newer change never wins: nothing is imported',
    async ({ steps, late, id, outcome, updated }) => {
      // Prepare
      await step(steps);
      const before = local.findings();

      // Act: replay applies the late change to the world, but the finding is newer than the event.
      const result = await step([late]);

      // Assess
      const run = onlyRun(result, late).result as { action?: string; regions?: { action: string }[] };
      expect(run.action ?? run.regions?.[0]?.action).toBe('skipped');
      expect(local.findings()).toEqual(before);
      expect(seen(local.findings(), id)).toMatchObject({
        UpdatedAt: at(updated),
        Status: 'PASSED',
        Outcome: outcome,
      });
    },
  );
});

it('the Run As on fixture is sanitised and shaped like the Run As off one', async () => {
  // Prepare
  const [off, on] = await readEvents([RUN_AS_OFF, RUN_AS_ON]);
  const shape = (event: unknown) => {
    const e = event as { account: string; region: string; time: string; detail: Record<string, unknown> };
    return { account: e.account, region: e.region, time: e.time, detail: e.detail };
  };

  // Act
  const before = shape(off?.event);
  const after = shape(on?.event);

  // Assess
  expect(after.account).toBe(ACCOUNT);
  expect(after.detail.sourceIPAddress).toMatch(/^203\.0\.113\./);
  expect(after.detail.eventName).toBe('UpdateDocumentDefaultVersion');
  expect(after.detail.requestParameters).toEqual({ name: RUN_SHELL, documentVersion: '3' });
  expect(Date.parse(after.time)).toBeGreaterThan(Date.parse(before.time));
  expect(after.detail.eventTime).toBe(after.time);
  expect(after.detail.eventID).not.toBe(before.detail.eventID);
  expect(Object.keys(after.detail)).toEqual(Object.keys(before.detail));
});

describe('a role whose ARN makes an Id longer than 512', () => {
  it('is reported under a digest of its ARN, the ARN in RunAs/Subject, and updated by later tag events', async () => {
    // Prepare: CreateRole with a legal 492-character path, then TagRole (which names no path).
    const longPath = `/${'p'.repeat(490)}/`;
    const arn = `arn:aws:iam::${ACCOUNT}:role${longPath}DbAdmins`;
    const [create, tag] = await readEvents([CREATE_DB_ADMINS, TAG_ROOT]);
    const created = withDetail(create?.event, (detail) => {
      (detail.requestParameters as Record<string, unknown>).path = longPath;
      const role = (detail.responseElements as { role: Record<string, unknown> }).role;
      role.path = longPath;
      role.arn = arn;
    });
    const tagged = withDetail(tag?.event, (detail, envelope) => {
      (detail.requestParameters as Record<string, unknown>).roleName = 'DbAdmins';
      detail.eventTime = '2026-03-01T13:50:00Z';
      envelope.time = '2026-03-01T13:50:00Z';
    });

    // Act
    const result = await replayAll(
      [
        { name: 'create.json', event: created },
        { name: 'tag.json', event: tagged },
      ],
      { world, local, envVars: REPORT_ALL },
    );

    // Assess
    for (const { runs } of result.evaluations) for (const run of runs) expect(run.error).toBeUndefined();
    const id = idOf(US, 'principal', subjectDigest(arn));
    const stored = findingById(local.findings(), id);
    expect(id.length).toBeLessThanOrEqual(512);
    expect(stored?.ProductFields).toMatchObject({
      'RunAs/Subject': arn,
      'RunAs/Principal': arn,
      'RunAs/ChangeEvent': 'TagRole',
    });
    expect(local.findings().filter((f) => f.ProductFields?.['RunAs/Check'] === 'principal')).toHaveLength(1);
  });
});
