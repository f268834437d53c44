/**
 * The `RunAs/…` ProductFields, written and read back in one place. Users filter on these keys;
 * re-evaluation reads them back from Security Hub. Values are escaped on the way out (controls
 * and format characters cannot break or reorder a console line) and unescaped on the way in;
 * an empty value is an absent key (Security Hub refuses empty values). What comes back is
 * checked, never trusted: a value outside its field's vocabulary is dropped.
 */
import type { ExpectedUserSource, SessionTagsUse, VersionLabel } from '../domain/decision.ts';
import { isOutcome, type Outcome } from '../domain/outcome.ts';
import type { EvidenceLevel } from '../domain/sessionLogOutcome.ts';
import { escapeValue, unescapeValue } from './text.ts';

export type FindingCheck = 'session' | 'principal' | 'preferences' | 'active-session';
export type Terminated = 'true' | 'false' | 'failed';
/** Where the session log verification stands (RunAs/SessionLog). */
export type SessionLogState =
  | 'scheduled'
  | 'not-scheduled'
  | 'not-verifiable'
  | 'verified'
  | 'unexpected-user'
  | 'started-although-refused'
  | 'never-started'
  | 'unknown';

const SESSION_LOG_STATES: readonly SessionLogState[] = [
  'scheduled',
  'not-scheduled',
  'not-verifiable',
  'verified',
  'unexpected-user',
  'started-although-refused',
  'never-started',
  'unknown',
];

/** Every field a Run As finding may carry, typed. */
export interface RunAsFields {
  readonly check: FindingCheck;
  readonly outcome: Outcome;
  readonly expectedUser: string;
  readonly expectedUserSource: ExpectedUserSource;
  /** The OS user the session ran as. */
  readonly sessionUser: string;
  /** The session log's runAsUser, when it was read. */
  readonly observedUser: string;
  /** What the finding rests on: computed, node users, the session log, or a confirmed refusal. */
  readonly evidence: EvidenceLevel;
  readonly sessionLog: SessionLogState;
  /** The CloudWatch Logs group the session document streams to. */
  readonly sessionLogGroup: string;
  readonly sessionId: string;
  readonly sessionOwner: string;
  readonly sessionTags: SessionTagsUse;
  /** The session's STS record has not arrived: the finding is audited again when it does. */
  readonly sessionTagsPending: boolean;
  /** CloudTrail eventID and Region of the STS record whose session tags were applied. */
  readonly stsEventId: string;
  readonly stsRegion: string;
  /** `Standard` or `JustInTime` (DescribeSessions), when it was read. */
  readonly accessType: string;
  /** When the principal's SSMSessionRunAs changed after the session (the finding judges the value then). */
  readonly mappingChangedAt: string;
  readonly principal: string;
  readonly principalType: string;
  readonly principalName: string;
  readonly callerArn: string;
  readonly target: string;
  readonly platform: string;
  readonly document: string;
  readonly documentVersion: string;
  readonly judgedVersion: VersionLabel;
  readonly otherVersion: string;
  readonly otherVersionOutcome: Outcome;
  readonly userVerified: boolean;
  readonly eventId: string;
  readonly changeEvent: string;
  readonly nodesMissingUser: number;
  readonly nodesChecked: number;
  readonly terminated: Terminated;
  /** The finding's full subject, when its Id carries a digest instead. */
  readonly subject: string;
}

export type RunAsFieldName = keyof RunAsFields;

/** The keys, in the order findings list them. */
export const FIELD_KEYS: Readonly<Record<RunAsFieldName, string>> = {
  check: 'RunAs/Check',
  outcome: 'RunAs/Outcome',
  expectedUser: 'RunAs/ExpectedUser',
  expectedUserSource: 'RunAs/ExpectedUserSource',
  sessionUser: 'RunAs/SessionUser',
  observedUser: 'RunAs/ObservedUser',
  evidence: 'RunAs/Evidence',
  sessionLog: 'RunAs/SessionLog',
  sessionLogGroup: 'RunAs/SessionLogGroup',
  sessionId: 'RunAs/SessionId',
  sessionOwner: 'RunAs/SessionOwner',
  sessionTags: 'RunAs/SessionTags',
  sessionTagsPending: 'RunAs/SessionTagsPending',
  stsEventId: 'RunAs/StsEventId',
  stsRegion: 'RunAs/StsRegion',
  accessType: 'RunAs/AccessType',
  mappingChangedAt: 'RunAs/MappingChangedAt',
  principal: 'RunAs/Principal',
  principalType: 'RunAs/PrincipalType',
  principalName: 'RunAs/PrincipalName',
  callerArn: 'RunAs/CallerArn',
  target: 'RunAs/Target',
  platform: 'RunAs/Platform',
  document: 'RunAs/Document',
  documentVersion: 'RunAs/DocumentVersion',
  judgedVersion: 'RunAs/JudgedVersion',
  otherVersion: 'RunAs/OtherVersion',
  otherVersionOutcome: 'RunAs/OtherVersionOutcome',
  userVerified: 'RunAs/UserVerified',
  eventId: 'RunAs/EventId',
  changeEvent: 'RunAs/ChangeEvent',
  nodesMissingUser: 'RunAs/NodesMissingUser',
  nodesChecked: 'RunAs/NodesChecked',
  terminated: 'RunAs/Terminated',
  subject: 'RunAs/Subject',
};

const oneOf =
  <T extends string>(...allowed: readonly T[]) =>
  (text: string): T | undefined =>
    allowed.find((value) => value === text);

const count = (text: string): number | undefined => (/^\d{1,9}$/.test(text) ? Number(text) : undefined);

/** How each field's text becomes its value (undefined: not a value of that field). */
const READERS: { readonly [K in RunAsFieldName]: (text: string) => RunAsFields[K] | undefined } = {
  check: oneOf('session', 'principal', 'preferences', 'active-session'),
  outcome: (text) => (isOutcome(text) ? text : undefined),
  expectedUser: (text) => text,
  expectedUserSource: oneOf('session-tag', 'principal-tag', 'preferences', 'none'),
  sessionUser: (text) => text,
  observedUser: (text) => text,
  evidence: oneOf('computed', 'node-users', 'session-log', 'refusal-confirmed'),
  sessionLog: oneOf(...SESSION_LOG_STATES),
  sessionLogGroup: (text) => text,
  sessionId: (text) => text,
  sessionOwner: (text) => text,
  sessionTags: oneOf('none', 'applied', 'unknown'),
  sessionTagsPending: (text) => (text === 'true' ? true : text === 'false' ? false : undefined),
  stsEventId: (text) => text,
  stsRegion: (text) => text,
  accessType: oneOf('Standard', 'JustInTime'),
  mappingChangedAt: (text) => text,
  principal: (text) => text,
  principalType: (text) => text,
  principalName: (text) => text,
  callerArn: (text) => text,
  target: (text) => text,
  platform: (text) => text,
  document: (text) => text,
  documentVersion: (text) => text,
  judgedVersion: oneOf('$LATEST', '$DEFAULT'),
  otherVersion: (text) => text,
  otherVersionOutcome: (text) => (isOutcome(text) ? text : undefined),
  userVerified: (text) => (text === 'true' ? true : text === 'false' ? false : undefined),
  eventId: (text) => text,
  changeEvent: (text) => text,
  nodesMissingUser: count,
  nodesChecked: count,
  terminated: oneOf('true', 'false', 'failed'),
  subject: (text) => text,
};

const NAMES = Object.keys(FIELD_KEYS) as RunAsFieldName[];

/**
 * ProductFields for a finding: escaped text, each value at most `maxValue` code units, empty
 * values left out, in the order of FIELD_KEYS.
 */
export const writeFields = (fields: Partial<RunAsFields>, maxValue = 2048): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const name of NAMES) {
    const value = fields[name];
    if (value === undefined) continue;
    const text = String(value);
    if (text.trim() === '') continue;
    out[FIELD_KEYS[name]] = escapeValue(text, maxValue);
  }
  return out;
};

/** The fields of a stored finding; keys that are not ours, and values outside a field's vocabulary, are left out. */
export const readFields = (
  productFields: Readonly<Record<string, string>> | undefined,
): Partial<RunAsFields> => {
  const out: Record<string, unknown> = {};
  if (productFields === undefined) return {};
  for (const name of NAMES) {
    const raw = Object.hasOwn(productFields, FIELD_KEYS[name]) ? productFields[FIELD_KEYS[name]] : undefined;
    if (raw === undefined) continue;
    const value = READERS[name](unescapeValue(raw));
    if (value !== undefined) out[name] = value;
  }
  return out as Partial<RunAsFields>;
};

/** A ProductFields filter (GetFindings EQUALS) for stored findings with these field values. */
export const fieldFilter = (fields: Partial<RunAsFields>): Record<string, string> => writeFields(fields);
