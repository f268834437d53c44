import type { Known, Platform, Principal, SessionTagsFact, Tags, UserPresence } from './facts.ts';
import type { Outcome } from './outcome.ts';
import type { SessionDocument, SessionParameters } from './sessionDocument.ts';

export const PREFERENCES_DOCUMENT = 'SSM-SessionManagerRunShell';
export const SSM_USER = 'ssm-user';
export const RUN_AS_TAG = 'SSMSessionRunAs';

export type ExpectedUserSource = 'session-tag' | 'principal-tag' | 'preferences' | 'none';
export type SessionTagsUse = 'none' | 'applied' | 'unknown';

/** Everything the decision for one StartSession needs, already fetched. */
export interface SessionFacts {
  /** CloudTrail errorCode of the StartSession call, when it failed. */
  readonly errorCode?: string;
  /** requestParameters.target, e.g. `i-0123…`, `mi-0123…`, `ecs:cluster_task_container`. */
  readonly target: string;
  /** Node platform from DescribeInstanceInformation; value null when the node is not registered. */
  readonly platform: Known<Platform | null>;
  /** Name (or ARN) of the session document; PREFERENCES_DOCUMENT when StartSession named none. */
  readonly documentName: string;
  /** Content of that document; value null when it does not exist. */
  readonly document: Known<SessionDocument | null>;
  /**
   * The Region's SSM-SessionManagerRunShell (value null: absent, so Session Manager's built-in
   * defaults apply: Run As off). Read when the session document is a command document that
   * sets no Run As inputs of its own; the same as `document` when no document was named.
   */
  readonly preferences: Known<SessionDocument | null>;
  /** StartSession `parameters` as CloudTrail recorded them. */
  readonly parameters: SessionParameters;
  readonly principal: Principal;
  /** Tags of the IAM user or role (unknown: unreadable, e.g. AccessDenied or another account). */
  readonly principalTags: Known<Tags>;
  readonly sessionTags: SessionTagsFact;
  /** OS users that must never be mapped (DENIED_RUN_AS_USERS). */
  readonly deniedUsers: ReadonlySet<string>;
  /** Whether the expected user exists on the node; omitted until it has been looked up. */
  readonly userPresence?: UserPresence;
}

export interface Decision {
  readonly outcome: Outcome;
  /** The OS user Session Manager should have used; '' when none could be resolved. */
  readonly expectedUser: string;
  readonly expectedUserSource: ExpectedUserSource;
  /** The OS user the session ran as; '' when the session was refused or no shell user applies/is known. */
  readonly sessionUser: string;
  /** true when the node's users were known and the user's existence was checked. */
  readonly userVerified: boolean;
  readonly sessionTags: SessionTagsUse;
  /** Document whose Run As settings decided (a name or ARN), or '' when none applied. */
  readonly settingsDocument: string;
  /** The decision path, one short sentence per step, for the finding's description. */
  readonly path: readonly string[];
  /** What to change to fix it ('' when nothing to fix). */
  readonly remediation: string;
  /**
   * When the outcome could still change with the node's users (a user was resolved and
   * userPresence was not given): the user to look up. The caller looks it up and decides again.
   */
  readonly userToCheck?: string;
}
