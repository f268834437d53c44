/** Shared builders for finding tests: StartSession commands and decisions made by the real domain. */
import type { SessionAuditSettings } from '../../../src/app/auditSession.ts';
import type { Decision } from '../../../src/domain/decision.ts';
import type { Principal } from '../../../src/domain/facts.ts';
import type { SessionFacts } from '../../../src/domain/runAs.ts';
import type { StartSessionCommand } from '../../../src/events/startSession.ts';
import type { AsffFinding } from '../../../src/findings/asff.ts';
import { decided, facts } from '../domain/runAsFixtures.ts';

export const ACCOUNT = '111122223333';
export const TYPE =
  'Software and Configuration Checks/AWS Security Best Practices/SSM Session Manager Run As';

export const rolePrincipal: Principal = {
  kind: 'role',
  arn: `arn:aws:iam::${ACCOUNT}:role/Operators`,
  accountId: ACCOUNT,
  name: 'Operators',
  path: '/',
  callerArn: `arn:aws:sts::${ACCOUNT}:assumed-role/Operators/alice`,
  accessKeyId: 'ASIAEXAMPLEKEY000001',
  sessionName: 'alice',
  sessionCreatedAt: '2026-03-01T09:30:00.000Z',
};

export const command = (overrides: Partial<StartSessionCommand> = {}): StartSessionCommand => ({
  eventId: '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b',
  eventTime: '2026-03-01T10:00:00.000Z',
  accountId: ACCOUNT,
  region: 'us-east-1',
  partition: 'aws',
  principal: rolePrincipal,
  target: 'i-0123456789abcdef0',
  documentName: 'SSM-SessionManagerRunShell',
  documentNamed: false,
  parameters: {},
  sessionId: 'alice-0a1b2c3d4e5f6a7b8',
  errorCode: null,
  errorMessage: null,
  sourceIPAddress: '203.0.113.10',
  userAgent: 'aws-cli/2.15.0',
  console: false,
  event: {},
  ...overrides,
});

/** The decision the domain makes for these facts (see runAsFixtures for the defaults). */
export const decisionFor = (patch: Partial<SessionFacts> = {}): Decision => decided(facts(patch));

/** Every string of a finding, for checks that no field carries something it must not. */
export const stringsOf = (value: unknown): string[] => {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringsOf);
  if (typeof value === 'object' && value !== null) return Object.values(value).flatMap(stringsOf);
  return [];
};

/** Unicode controls and format characters (zero-width, bidi) that a console must never render. */
export const HIDDEN = /[\p{Cc}\p{Cf}]/u;

/** Title, Description and remediation: the text a reader sees. */
export const shownTexts = (finding: AsffFinding): string[] => [
  finding.Title,
  finding.Description,
  finding.Remediation?.Recommendation.Text ?? '',
];

/** The session audit's settings as a deployment's defaults set them: root denied, only what fails reported. */
export const sessionSettings = (overrides: Partial<SessionAuditSettings> = {}): SessionAuditSettings => ({
  deniedRunAsUsers: new Set(['root']),
  reportCompliantSessions: false,
  reportNotApplicable: false,
  sessionDocumentVersion: '$LATEST',
  sessionLogReadDelaySeconds: 60,
  ...overrides,
});
