/**
 * What the Run As decision returns: an outcome with the users it names, and the steps that led
 * there, as data. The words for each step are written once, where findings are built.
 */
import type { NameMatch, Platform, PrincipalKind, SessionTagsSource } from './facts.ts';
import type { Outcome } from './outcome.ts';
import type { SessionType } from './sessionManager.ts';

export type ExpectedUserSource = 'session-tag' | 'principal-tag' | 'preferences' | 'none';
export type UserSource = Exclude<ExpectedUserSource, 'none'>;
export type SessionTagsUse = 'none' | 'applied' | 'unknown';
export type VersionLabel = '$LATEST' | '$DEFAULT';

/** The principal a step speaks of. */
export interface Subject {
  readonly kind: PrincipalKind;
  readonly name: string;
  readonly arn: string;
}

/** What a setting should have been for the agent to accept it. */
export type Expected =
  | 'schema 1.0'
  | 'true or false'
  | 'a string'
  | 'a JSON boolean'
  | 'an object'
  | 'commands';

/**
 * One step of the decision path. A step ending the decision explains its outcome; the others
 * record what was read on the way.
 */
export type Step =
  // ----- scope: does Run As apply to this session at all?
  | { readonly step: 'call-failed'; readonly errorCode: string }
  | { readonly step: 'not-a-node'; readonly target: string }
  | { readonly step: 'port'; readonly document: string; readonly port: string }
  | { readonly step: 'ssh-tunnel'; readonly document: string; readonly port: string }
  | { readonly step: 'port-unknown'; readonly document: string; readonly reason: string }
  | { readonly step: 'windows'; readonly node: string; readonly shell: boolean }
  | { readonly step: 'platform-unreadable'; readonly node: string; readonly reason: string }
  | { readonly step: 'node-unregistered'; readonly node: string }
  | { readonly step: 'platform'; readonly node: string; readonly platform: Platform }
  | { readonly step: 'document-unreadable'; readonly document: string; readonly reason: string }
  | { readonly step: 'document-gone'; readonly document: string; readonly posture: boolean }
  | {
      readonly step: 'document-version';
      readonly document: string;
      readonly version: string;
      readonly label: VersionLabel;
    }
  // ----- settings: what the document (and the Region's preferences) say
  | { readonly step: 'built-in-defaults' }
  | {
      readonly step: 'invalid-setting';
      readonly document: string;
      readonly key: string;
      readonly expected: Expected;
      readonly value: string;
    }
  | {
      readonly step: 'parameter-store';
      readonly document: string;
      readonly key: string;
      readonly parameter: string;
    }
  | {
      readonly step: 'parameter-unset';
      readonly document: string;
      readonly key: string;
      readonly parameter: string;
    }
  | {
      readonly step: 'command-document';
      readonly document: string;
      readonly sessionType: SessionType;
      readonly os: string;
      readonly elevated: boolean;
    }
  | { readonly step: 'preferences-merged'; readonly document: string }
  | { readonly step: 'preferences-unreadable'; readonly reason: string }
  | { readonly step: 'elevated'; readonly document: string; readonly os: string }
  | { readonly step: 'run-as-off'; readonly document: string; readonly value: string }
  | {
      readonly step: 'run-as-on';
      readonly document: string;
      readonly value: string;
      readonly defaultUser: string;
    }
  | { readonly step: 'no-run-as-inputs'; readonly document: string }
  // ----- expected user: session tag, else the principal's tag, else the default
  | { readonly step: 'session-tag'; readonly value: string; readonly key: string }
  | { readonly step: 'session-tag-blank' }
  | { readonly step: 'no-session-tag' }
  | { readonly step: 'session-tags-unreadable'; readonly reason: string }
  | { readonly step: 'session-tags-assumed-none' }
  | { readonly step: 'session-tags-recorded'; readonly source: SessionTagsSource }
  | { readonly step: 'session-tags-pending'; readonly reason: string }
  | { readonly step: 'session-tags-just-in-time' }
  | {
      /** The principal's tag changed after the session: judged by its recorded value then. */
      readonly step: 'principal-tag-then';
      readonly subject: Subject;
      readonly changedAt: string;
      readonly setAt: string;
    }
  | {
      /** The principal's tag changed after the session and its value then is not recorded. */
      readonly step: 'principal-tag-changed-after';
      readonly subject: Subject;
      readonly changedAt: string;
      readonly ambiguous: boolean;
    }
  | {
      readonly step: 'principal-tag';
      readonly subject: Subject;
      readonly value: string;
      readonly key: string;
    }
  | { readonly step: 'principal-tag-blank'; readonly subject: Subject }
  | { readonly step: 'no-principal-tag'; readonly subject: Subject; readonly identityCenter: boolean }
  | { readonly step: 'principal-tags-unreadable'; readonly subject: Subject; readonly reason: string }
  | { readonly step: 'no-iam-tags'; readonly subject: Subject }
  | { readonly step: 'default-user'; readonly value: string }
  | { readonly step: 'no-user'; readonly document: string }
  | { readonly step: 'only-session-tags-could-name' }
  // ----- on the node: what the agent does with the value
  | { readonly step: 'unsafe-name'; readonly source: UserSource; readonly value: string }
  | { readonly step: 'padded-name'; readonly source: UserSource; readonly user: string }
  | { readonly step: 'root-refused'; readonly value: string }
  | { readonly step: 'uid'; readonly uid: string; readonly account: string }
  | { readonly step: 'uid-per-node'; readonly uid: string }
  | {
      readonly step: 'privileged-ids';
      readonly user: string;
      readonly uid: number | undefined;
      readonly gid: number | undefined;
    }
  | { readonly step: 'ssm-user'; readonly source: UserSource }
  | { readonly step: 'denied'; readonly user: string; readonly source: UserSource }
  | { readonly step: 'missing'; readonly user: string; readonly where: string; readonly source: UserSource }
  | { readonly step: 'present'; readonly user: string; readonly where: string }
  | { readonly step: 'presence-unknown'; readonly user: string; readonly reason: string }
  | { readonly step: 'shell-profile-switch'; readonly document: string; readonly command: string }
  | { readonly step: 'compliant'; readonly user: string; readonly session: boolean }
  // ----- the fleet pre-check of a posture
  | {
      readonly step: 'missing-on-nodes';
      readonly user: string;
      readonly source: ExpectedUserSource;
      /** Node ids, sorted; a finding names the first MAX_NODES_NAMED. */
      readonly nodes: readonly string[];
      readonly checked: number;
      readonly notCounted: number;
    };

export type StepName = Step['step'];

/** What the other version of the document would give, when its Run As settings differ. */
export interface OtherVersion {
  readonly label: VersionLabel;
  readonly version: string;
  readonly outcome: Outcome;
  readonly expectedUser: string;
}

export interface Decision {
  readonly outcome: Outcome;
  /** The value Session Manager should have used (a name or a uid); '' when none resolves. */
  readonly expectedUser: string;
  readonly expectedUserSource: ExpectedUserSource;
  /** The OS account the session ran as; '' when it was refused or no shell user applies or is known. */
  readonly sessionUser: string;
  /** true when the node's users were known and the user's existence was checked. */
  readonly userVerified: boolean;
  readonly sessionTags: SessionTagsUse;
  /** Document whose Run As settings decided (a name or ARN), or '' when none applied. */
  readonly settingsDocument: string;
  /** Version of the session document that was judged ('' when it was not read). */
  readonly documentVersion: string;
  /** Which version that is: what SESSION_DOCUMENT_VERSION says sessions run. */
  readonly judgedVersion: VersionLabel;
  readonly steps: readonly Step[];
  readonly otherVersion?: OtherVersion;
}

/** A fact the decision cannot go on without; the caller gathers it and decides again. */
export type Need =
  | { readonly fact: 'document' }
  | { readonly fact: 'platform' }
  | { readonly fact: 'preferences' }
  | { readonly fact: 'principal-tags' }
  | { readonly fact: 'session-tags' }
  | { readonly fact: 'node-user'; readonly user: string; readonly match: NameMatch };

export type Verdict =
  | { readonly decided: true; readonly decision: Decision }
  | { readonly decided: false; readonly needs: readonly Need[] };
