import { describe, expect, it } from 'vitest';
import { OCSF_VERSION, ocsfEvents, ocsfReport } from '../../../src/report/ocsfReport.ts';
import { OCSF_1_6_0 } from './ocsfSchema.ts';
import {
  HOSTILE,
  hostileFinding,
  input,
  principalFinding,
  type Stored,
  sessionFinding,
} from './reportFixtures.ts';

type Json = Record<string, unknown>;

/** Which OCSF object each object-valued attribute holds (`unmapped` is free-form). */
const EDGES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  detection_finding: {
    metadata: 'metadata',
    cloud: 'cloud',
    finding_info: 'finding_info',
    resources: 'resource_details',
    remediation: 'remediation',
    device: 'device',
    evidences: 'evidences',
  },
  compliance_finding: {
    metadata: 'metadata',
    cloud: 'cloud',
    finding_info: 'finding_info',
    resources: 'resource_details',
    remediation: 'remediation',
    compliance: 'compliance',
  },
  metadata: { product: 'product' },
  product: { feature: 'feature' },
  cloud: { account: 'account' },
  finding_info: { analytic: 'analytic' },
  device: { os: 'os' },
  evidences: { actor: 'actor', user: 'user', api: 'api', device: 'device' },
  actor: { user: 'user' },
  user: { account: 'account' },
  api: { service: 'service' },
};

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Every attribute path that is not in the OCSF 1.6.0 object it sits in, or a required one that is missing. */
const schemaProblems = (value: Json, objectName: string, path: string): string[] => {
  const schema = OCSF_1_6_0[objectName];
  if (schema === undefined) return [`${path}: no schema for ${objectName}`];
  const problems = schema.required
    .filter((name) => !(name in value))
    .map((name) => `${path}.${name} missing`);
  for (const [key, child] of Object.entries(value)) {
    const attribute = key.endsWith('_dt') ? key.slice(0, -3) : key;
    if (!schema.attributes.has(attribute))
      problems.push(`${path}.${key} is not an attribute of ${objectName}`);
    if (key === 'unmapped') continue;
    const childObject = EDGES[objectName]?.[key];
    const items = Array.isArray(child) ? child : [child];
    for (const [index, item] of items.entries()) {
      if (!isObject(item)) continue;
      const at = Array.isArray(child) ? `${path}.${key}[${index}]` : `${path}.${key}`;
      if (childObject === undefined) problems.push(`${at} is an object the test does not know`);
      else problems.push(...schemaProblems(item, childObject, at));
    }
  }
  return problems;
};

const eventOf = (finding: Stored): Json => {
  const [event] = ocsfEvents(input(finding));
  if (event === undefined) throw new Error('no event');
  return event;
};

const SESSION = sessionFinding();
const PRINCIPAL = principalFinding();
const ARCHIVED = principalFinding({ RecordState: 'ARCHIVED', Compliance: { Status: 'NOT_AVAILABLE' } });

describe('ocsfReport', () => {
  it.each([
    ['session', SESSION, 'detection_finding'],
    ['active-session', sessionFinding({ fields: { 'RunAs/Check': 'active-session' } }), 'detection_finding'],
    ['principal', PRINCIPAL, 'compliance_finding'],
    ['archived principal', ARCHIVED, 'compliance_finding'],
    ['hostile session', hostileFinding(), 'detection_finding'],
  ])('writes a %s finding with OCSF 1.6.0 attributes only, required ones present', (_name, finding, cls) => {
    // Act
    const event = eventOf(finding);

    // Assess
    expect(schemaProblems(event, cls, '$')).toEqual([]);
  });

  it('names an invented or misspelt attribute, and a missing required one', () => {
    // Prepare
    const event = eventOf(SESSION);
    const { uid: _uid, ...info } = event.finding_info as Json;

    // Act
    const problems = schemaProblems(
      { ...event, finding_info: { ...info, titel: 'x' } },
      'detection_finding',
      '$',
    );

    // Assess
    expect(problems).toEqual([
      '$.finding_info.uid missing',
      '$.finding_info.titel is not an attribute of finding_info',
    ]);
  });

  it.each([
    // name, finding, class_uid, activity_id, type_uid, severity_id, status_id
    ['new session', SESSION, 2004, 1, 200401, 4, 1],
    ['updated principal', PRINCIPAL, 2003, 2, 200302, 3, 1],
    ['archived principal', ARCHIVED, 2003, 3, 200303, 3, 5],
    ['suppressed session', { ...SESSION, Workflow: { Status: 'SUPPRESSED' } }, 2004, 1, 200401, 4, 3],
    ['unknown severity', sessionFinding({ severity: 'SEVERE' }), 2004, 1, 200401, 0, 1],
  ])(
    'maps the %s: class, activity, type, severity and status',
    (_name, finding, classUid, activity, typeUid, severity, status) => {
      // Act
      const event = eventOf(finding);

      // Assess
      expect(event).toMatchObject({
        category_uid: 2,
        class_uid: classUid,
        activity_id: activity,
        type_uid: typeUid,
        severity_id: severity,
        status_id: status,
        metadata: { version: OCSF_VERSION, profiles: ['cloud', 'datetime'] },
      });
    },
  );

  it('maps a session finding to a Detection Finding: times, device, evidence, resource roles', () => {
    // Act
    const event = eventOf(SESSION);

    // Assess
    expect(event).toMatchObject({
      class_name: 'Detection Finding',
      type_name: 'Detection Finding: Create',
      severity: 'High',
      status_code: 'RAN_AS_SSM_USER',
      time: Date.parse('2026-03-01T12:00:00.000Z'),
      time_dt: '2026-03-01T12:00:00.000Z',
      message: SESSION.Title,
      is_alert: true,
      cloud: {
        provider: 'AWS',
        region: 'us-east-1',
        cloud_partition: 'aws',
        account: { uid: '111122223333' },
      },
      finding_info: {
        uid: SESSION.Id,
        title: SESSION.Title,
        desc: SESSION.Description,
        types: SESSION.Types,
        product_uid: SESSION.ProductArn,
        analytic: { uid: 'ssm-runas-auditor/session', name: 'session', type_id: 1 },
        created_time: Date.parse('2026-03-01T12:00:00.000Z'),
      },
      device: { uid: 'i-0123456789abcdef0', type_id: 6, os: { name: 'Linux', type_id: 200 } },
      evidences: [
        {
          api: { operation: 'StartSession' },
          actor: { user: { uid: 'arn:aws:iam::111122223333:user/alice', account: { type_id: 3 } } },
          user: { name: 'ssm-user' },
        },
      ],
      remediation: { desc: 'Set runAsEnabled to true.' },
    });
    expect((event.resources as Json[]).map((r) => [r.type, r.role])).toEqual([
      ['Other', 'Target'],
      ['AwsEc2Instance', 'Target'],
      ['AwsIamUser', 'Actor'],
    ]);
  });

  it('maps a principal finding to a Compliance Finding with its compliance status', () => {
    // Act
    const event = eventOf(PRINCIPAL);
    const archived = eventOf(ARCHIVED);

    // Assess
    expect(event.compliance).toEqual({
      control: 'ssm-runas-auditor/principal',
      status_id: 3,
      status: 'Fail',
      status_code: 'FAILED',
      status_detail: 'MISSING_RUN_AS_USER',
    });
    expect(archived.compliance).toMatchObject({ status_id: 99, status: 'Not Available' });
    expect(event).not.toHaveProperty('device');
    expect((event.resources as Json[]).map((r) => r.role)).toEqual(['Target', 'Related']);
  });

  it.each([
    [
      'session',
      SESSION,
      [
        'RunAs/Check',
        'RunAs/Outcome',
        'RunAs/Principal',
        'RunAs/Target',
        'RunAs/Platform',
        'RunAs/SessionUser',
      ],
    ],
    ['principal', PRINCIPAL, ['RunAs/Check', 'RunAs/Outcome']],
  ])(
    'keeps every %s product field an attribute did not take in unmapped, under its own key',
    (_name, finding, taken) => {
      // Act
      const event = eventOf(finding);

      // Assess
      const fields = finding.ProductFields as Record<string, string>;
      const rest = Object.fromEntries(Object.entries(fields).filter(([key]) => !taken.includes(key)));
      const unmapped = { ...(event.unmapped as Json) };
      delete unmapped['Compliance.Status'];
      expect(unmapped).toEqual(rest);
    },
  );

  it('leaves an unknown platform in unmapped rather than guessing an OS', () => {
    // Act
    const event = eventOf(hostileFinding());

    // Assess
    expect(event.device).not.toHaveProperty('os');
    expect((event.unmapped as Json)['RunAs/Platform']).toBe(HOSTILE.bidi);
    expect((event.device as Json).type_id).toBe(0);
  });

  it('prints a JSON array with one event per finding and the product version when given', () => {
    // Act
    const events = JSON.parse(ocsfReport(input(SESSION, PRINCIPAL), { productVersion: '0.1.0' })) as Json[];

    // Assess
    expect(events.map((e) => e.class_uid)).toEqual([2004, 2003]);
    expect(events[0]?.metadata).toMatchObject({ product: { name: 'ssm-runas-auditor', version: '0.1.0' } });
  });
});
