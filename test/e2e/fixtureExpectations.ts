/**
 * The e2e oracle: what each events/startsession-*.json fixture must produce when replayed
 * against src/local/world/demo-world.json, reasoned from how Session Manager and the SSM agent pick the
 * user (not from the code). Sessions run a document's $LATEST version.
 *
 * Conventions every entry follows:
 * - `expectedUser` is the OS user Session Manager's rules give the session (the runAs.ts Decision
 *   contract): the user resolved from a session tag, the principal's tag or the document's
 *   runAsDefaultUser; 'ssm-user' with source 'none' when Run As is off or the node is Windows;
 *   'root' with source 'none' for runAsElevated commands; '' with source 'none' when no user
 *   results (call failed, no shell, rejected runAsEnabled, no tag nor default, unverifiable).
 * - `sessionUser`: the account the session ran as: RAN_AS_SSM_USER 'ssm-user'; RAN_AS_ROOT 'root';
 *   refused sessions ''; COMPLIANT the expected user (for a uid, the account that owns it); a value
 *   with surrounding blanks the account the shell finds without them; NOT_APPLICABLE on a Windows
 *   node 'ssm-user', other NOT_APPLICABLE and SSH tunnels ''; UNVERIFIED ''.
 * - `userVerified` is true only when the node's inventory was read and the user's existence was
 *   checked (present, or missing from a fresh inventory). Inventory freshness is judged at the
 *   world's `now` (2026-03-01T12:00:00Z), the moment the events happen.
 * - `principalType` is the domain Principal kind (src/domain/facts.ts PrincipalKind), which is
 *   what the session evaluation reports: IAMUser → user, AssumedRole → role, Root → root,
 *   FederatedUser → federated-user, anything else → other.
 * - Role sessions of this account have their AssumeRole* record in the world's us-east-1
 *   cloudTrail, so their session tags are known (empty unless stated).
 */
import type { Outcome } from '../../src/domain/outcome.ts';

/** What the session's log says when the verification reads it (fixtures whose document streams). */
export interface SessionLogExpectation {
  readonly verdict: 'verified' | 'unexpected-user' | 'never-started';
  /** The outcome of the stored finding once the log is read. */
  readonly outcome: Outcome;
  /** The finding's UpdatedAt: the StartSession time plus the delay (first reading) or the window. */
  readonly readAfterSeconds: number;
  readonly observedUser: string;
}

export interface FixtureExpectation {
  readonly outcome: Outcome;
  readonly expectedUser: string;
  readonly expectedUserSource: 'session-tag' | 'principal-tag' | 'preferences' | 'none';
  readonly sessionUser: string;
  readonly userVerified: boolean;
  readonly principalType: string;
  readonly sessionLog?: SessionLogExpectation;
}

export const FIXTURE_EXPECTATIONS: Record<string, FixtureExpectation> = {
  // AWS-StartInteractiveCommand has no runAsElevated and no inputs: it runs like a shell with the
  // Region's preferences (assumed merged): Run As on, alice's tag, alice is in the inventory.
  'startsession-compliant-aws-interactive-command.json': {
    outcome: 'COMPLIANT',
    expectedUser: 'alice',
    expectedUserSource: 'principal-tag',
    sessionUser: 'alice',
    userVerified: true,
    principalType: 'user',
  },
  // No document named: us-east-1 preferences (Run As on); IAM user alice tagged alice; alice listed.
  'startsession-compliant-iamuser-tag.json': {
    outcome: 'COMPLIANT',
    expectedUser: 'alice',
    expectedUserSource: 'principal-tag',
    sessionUser: 'alice',
    userVerified: true,
    principalType: 'user',
  },
  // Root has no IAM tags: the preferences default ec2-user applies; the macOS node lists ec2-user.
  'startsession-compliant-macos-root.json': {
    outcome: 'COMPLIANT',
    expectedUser: 'ec2-user',
    expectedUserSource: 'preferences',
    sessionUser: 'ec2-user',
    userVerified: true,
    principalType: 'root',
  },
  // frank's tag key is `ssmsessionrunas` (keys are case-insensitive); the mi- node lists frank.
  'startsession-compliant-managed-instance.json': {
    outcome: 'COMPLIANT',
    expectedUser: 'frank',
    expectedUserSource: 'principal-tag',
    sessionUser: 'frank',
    userVerified: true,
    principalType: 'user',
  },
  // An AWSService caller has no IAM tags: the preferences default ec2-user; listed on the node.
  'startsession-compliant-other-principal.json': {
    outcome: 'COMPLIANT',
    expectedUser: 'ec2-user',
    expectedUserSource: 'preferences',
    sessionUser: 'ec2-user',
    userVerified: true,
    principalType: 'other',
  },
  // erin (path /engineering/) has tags but no SSMSessionRunAs: the preferences default ec2-user.
  'startsession-compliant-preferences-default.json': {
    outcome: 'COMPLIANT',
    expectedUser: 'ec2-user',
    expectedUserSource: 'preferences',
    sessionUser: 'ec2-user',
    userVerified: true,
    principalType: 'user',
  },
  // Role Operators under path /ops/ is tagged opsadmin; its AssumeRole record carries no tags.
  'startsession-compliant-role-path-tag.json': {
    outcome: 'COMPLIANT',
    expectedUser: 'opsadmin',
    expectedUserSource: 'principal-tag',
    sessionUser: 'opsadmin',
    userVerified: true,
    principalType: 'role',
  },
  // Developers is tagged dev, but the AssumeRole record matching the session's access key carries
  // the session tag SSMSessionRunAs=carol, which overrides it (a decoy record with another key says
  // mallory). carol is listed; dev is not, so ignoring the session tag would give MISSING.
  'startsession-compliant-session-tag.json': {
    outcome: 'COMPLIANT',
    expectedUser: 'carol',
    expectedUserSource: 'session-tag',
    sessionUser: 'carol',
    userVerified: true,
    principalType: 'role',
  },
  // AWSReservedSSO_ role (path /aws-reserved/sso.amazonaws.com/) cannot be tagged; the
  // AssumeRoleWithSAML record's principalTags (Identity Center attributes) give dana.
  'startsession-compliant-sso-session-tag.json': {
    outcome: 'COMPLIANT',
    expectedUser: 'dana',
    expectedUserSource: 'session-tag',
    sessionUser: 'dana',
    userVerified: true,
    principalType: 'role',
  },
  // An IAM Identity Center console session in us-east-1 (Identity Center lives in eu-west-1): the
  // console signs with its own keys, so the AssumeRoleWithSAML recorded in eu-west-1 (the Region in
  // the role's path) is found by role session and creationDate; its principalTags give henry.
  'startsession-compliant-sso-console-session-tag.json': {
    outcome: 'COMPLIANT',
    expectedUser: 'henry',
    expectedUserSource: 'session-tag',
    sessionUser: 'henry',
    userVerified: true,
    principalType: 'role',
  },
  // bob is not listed, but the node's inventory is 30 days old: absence proves nothing, so the
  // session is compliant with the user unverified (never MISSING on stale data).
  'startsession-compliant-stale-inventory.json': {
    outcome: 'COMPLIANT',
    expectedUser: 'bob',
    expectedUserSource: 'principal-tag',
    sessionUser: 'bob',
    userVerified: false,
    principalType: 'user',
  },
  // grace is untagged; RunAsTemplated-Shell's runAsDefaultUser "{{ runAsUser }}" is filled from the
  // StartSession parameter runAsUser=["grace"] (not the document default ec2-user); grace listed.
  'startsession-compliant-templated-default.json': {
    outcome: 'COMPLIANT',
    expectedUser: 'grace',
    expectedUserSource: 'preferences',
    sessionUser: 'grace',
    userVerified: true,
    principalType: 'user',
  },
  // A federated user has no IAM tags: the default ec2-user; the node has no inventory (users
  // unknown), which is COMPLIANT with userVerified false, not UNVERIFIED.
  'startsession-compliant-unknown-users.json': {
    outcome: 'COMPLIANT',
    expectedUser: 'ec2-user',
    expectedUserSource: 'preferences',
    sessionUser: 'ec2-user',
    userVerified: false,
    principalType: 'federated-user',
  },
  // oscar is tagged root, on the default deny list; the agent refuses uid 0, so no session user.
  'startsession-disallowed-run-as-user.json': {
    outcome: 'DISALLOWED_RUN_AS_USER',
    expectedUser: 'root',
    expectedUserSource: 'principal-tag',
    sessionUser: '',
    userVerified: false,
    principalType: 'user',
  },
  // RunAsYes-Shell has runAsEnabled "yes", which the agent's ConvertToBool rejects: session fails.
  'startsession-invalid-preferences.json': {
    outcome: 'INVALID_PREFERENCES',
    expectedUser: '',
    expectedUserSource: 'none',
    sessionUser: '',
    userVerified: false,
    principalType: 'user',
  },
  // Role BuildAgents is tagged "$(id)": not a safe user name; kept exactly in expectedUser.
  'startsession-invalid-run-as-user-command-substitution.json': {
    outcome: 'INVALID_RUN_AS_USER',
    expectedUser: '$(id)',
    expectedUserSource: 'principal-tag',
    sessionUser: '',
    userVerified: false,
    principalType: 'role',
  },
  // mallory is tagged "alice;reboot": shell metacharacter, not a safe user name.
  'startsession-invalid-run-as-user-semicolon.json': {
    outcome: 'INVALID_RUN_AS_USER',
    expectedUser: 'alice;reboot',
    expectedUserSource: 'principal-tag',
    sessionUser: '',
    userVerified: false,
    principalType: 'user',
  },
  // bob is tagged bob; the main node's fresh inventory (captured 11:30, before the 12:27 event)
  // does not list bob: the agent refused the session.
  'startsession-missing-run-as-user.json': {
    outcome: 'MISSING_RUN_AS_USER',
    expectedUser: 'bob',
    expectedUserSource: 'principal-tag',
    sessionUser: '',
    userVerified: true,
    principalType: 'user',
  },
  // RunAsNoDefault-Shell: Run As on, runAsDefaultUser "", and erin has no SSMSessionRunAs tag.
  'startsession-no-run-as-user.json': {
    outcome: 'NO_RUN_AS_USER',
    expectedUser: '',
    expectedUserSource: 'none',
    sessionUser: '',
    userVerified: false,
    principalType: 'user',
  },
  // errorCode AccessDenied: no session was created (even though the target is the Windows node).
  'startsession-not-applicable-access-denied.json': {
    outcome: 'NOT_APPLICABLE',
    expectedUser: '',
    expectedUserSource: 'none',
    sessionUser: '',
    userVerified: false,
    principalType: 'user',
  },
  // An ecs: target is not a managed node: no Run As.
  'startsession-not-applicable-ecs-target.json': {
    outcome: 'NOT_APPLICABLE',
    expectedUser: '',
    expectedUserSource: 'none',
    sessionUser: '',
    userVerified: false,
    principalType: 'user',
  },
  // AWS-StartPortForwardingSession is sessionType Port: a tunnel, no shell user.
  'startsession-not-applicable-port-forwarding.json': {
    outcome: 'NOT_APPLICABLE',
    expectedUser: '',
    expectedUserSource: 'none',
    sessionUser: '',
    userVerified: false,
    principalType: 'user',
  },
  // errorCode TargetNotConnected (the node's ping status is ConnectionLost): no session.
  'startsession-not-applicable-target-not-connected.json': {
    outcome: 'NOT_APPLICABLE',
    expectedUser: '',
    expectedUserSource: 'none',
    sessionUser: '',
    userVerified: false,
    principalType: 'user',
  },
  // Windows node: Run As is unsupported; the session runs as ssm-user, a local administrator.
  'startsession-not-applicable-windows.json': {
    outcome: 'NOT_APPLICABLE',
    expectedUser: 'ssm-user',
    expectedUserSource: 'none',
    sessionUser: 'ssm-user',
    userVerified: false,
    principalType: 'user',
  },
  // responseElements null without errorCode (finding keyed by the eventID). RunAsOff-Shell's
  // $LATEST version 2 has Run As off ($DEFAULT version 1 has it on: the finding says so).
  'startsession-null-response.json': {
    outcome: 'RAN_AS_SSM_USER',
    expectedUser: 'ssm-user',
    expectedUserSource: 'none',
    sessionUser: 'ssm-user',
    userVerified: false,
    principalType: 'user',
  },
  // TailAgentLog is InteractiveCommands with properties.linux.runAsElevated true: runs as root.
  'startsession-ran-as-root-interactive-command.json': {
    outcome: 'RAN_AS_ROOT',
    expectedUser: 'root',
    expectedUserSource: 'none',
    sessionUser: 'root',
    userVerified: false,
    principalType: 'user',
  },
  // RunAsOff-Shell named by ARN; its $LATEST version has Run As off, so alice's tag is not used.
  'startsession-ran-as-ssm-user-custom-document.json': {
    outcome: 'RAN_AS_SSM_USER',
    expectedUser: 'ssm-user',
    expectedUserSource: 'none',
    sessionUser: 'ssm-user',
    userVerified: false,
    principalType: 'user',
  },
  // eu-west-1: SSM-SessionManagerRunShell has runAsEnabled false; alice's tag is not used.
  'startsession-ran-as-ssm-user-region-off.json': {
    outcome: 'RAN_AS_SSM_USER',
    expectedUser: 'ssm-user',
    expectedUserSource: 'none',
    sessionUser: 'ssm-user',
    userVerified: false,
    principalType: 'user',
  },
  // sam is tagged ssm-user: Run As is on but maps back to the passwordless-sudo account, which the
  // node's inventory lists.
  'startsession-ran-as-ssm-user-tag.json': {
    outcome: 'RAN_AS_SSM_USER',
    expectedUser: 'ssm-user',
    expectedUserSource: 'principal-tag',
    sessionUser: 'ssm-user',
    userVerified: true,
    principalType: 'user',
  },
  // uma is tagged "1001": `id 1001` finds ssm-user's uid on the node, so the tag passes every name
  // check and still runs as ssm-user.
  'startsession-ran-as-ssm-user-uid.json': {
    outcome: 'RAN_AS_SSM_USER',
    expectedUser: '1001',
    expectedUserSource: 'principal-tag',
    sessionUser: 'ssm-user',
    userVerified: true,
    principalType: 'user',
  },
  // tor is tagged toor, an account with uid 0 on the node: the agent refuses uid 0 whatever the deny list says.
  'startsession-disallowed-uid-zero.json': {
    outcome: 'DISALLOWED_RUN_AS_USER',
    expectedUser: 'toor',
    expectedUserSource: 'principal-tag',
    sessionUser: '',
    userVerified: true,
    principalType: 'user',
  },
  // sam (tagged ssm-user) on i-…0009, which has no ssm-user: with Run As on the agent does not
  // create it, so the session is refused.
  'startsession-missing-ssm-user.json': {
    outcome: 'MISSING_RUN_AS_USER',
    expectedUser: 'ssm-user',
    expectedUserSource: 'principal-tag',
    sessionUser: '',
    userVerified: true,
    principalType: 'user',
  },
  // pat is tagged " alice": not a safe name, but the agent's shell drops the blank and runs alice.
  'startsession-invalid-run-as-user-padded.json': {
    outcome: 'INVALID_RUN_AS_USER',
    expectedUser: ' alice',
    expectedUserSource: 'principal-tag',
    sessionUser: 'alice',
    userVerified: true,
    principalType: 'user',
  },
  // AWS-StartSSHSession with portNumber 22: SSH over Session Manager, Run As is bypassed.
  'startsession-ssh-tunnel.json': {
    outcome: 'SSH_TUNNEL',
    expectedUser: '',
    expectedUserSource: 'none',
    sessionUser: '',
    userVerified: false,
    principalType: 'user',
  },
  // SudoProfile-Shell starts the shell as alice (her tag), then its shell profile runs sudo su - dbadmin.
  'startsession-shell-profile-escalation.json': {
    outcome: 'SHELL_PROFILE_ESCALATION',
    expectedUser: 'alice',
    expectedUserSource: 'principal-tag',
    sessionUser: 'alice',
    userVerified: true,
    principalType: 'user',
  },
  // ElevatedString-Command writes runAsElevated as the string "true": the agent cannot decode it
  // as a boolean and fails the session (it is not a root session).
  'startsession-invalid-preferences-elevated-string.json': {
    outcome: 'INVALID_PREFERENCES',
    expectedUser: '',
    expectedUserSource: 'none',
    sessionUser: '',
    userVerified: false,
    principalType: 'user',
  },
  // The role is in account 444455556666: its tags and session tags cannot be read from
  // 111122223333, and with Run As on a tag would decide.
  'startsession-unverified-cross-account.json': {
    outcome: 'UNVERIFIED',
    expectedUser: '',
    expectedUserSource: 'none',
    sessionUser: '',
    userVerified: false,
    principalType: 'role',
  },
  // erin is untagged, so RunAsParamStore-Shell's default "{{ssm:/runas/default}}" decides; it is
  // resolved on the node from Parameter Store, which the auditor cannot know.
  'startsession-unverified-parameter-store-default.json': {
    outcome: 'UNVERIFIED',
    expectedUser: '',
    expectedUserSource: 'none',
    sessionUser: '',
    userVerified: false,
    principalType: 'user',
  },
  // Logged-Shell streams to /aws/ssm/sessions; alice's tag names alice, who is on the node, and the
  // agent's record in the stream says alice: verified by the session log at the first reading.
  'startsession-session-log-verified.json': {
    outcome: 'COMPLIANT',
    expectedUser: 'alice',
    expectedUserSource: 'principal-tag',
    sessionUser: 'alice',
    userVerified: true,
    principalType: 'user',
    sessionLog: { verdict: 'verified', outcome: 'COMPLIANT', readAfterSeconds: 60, observedUser: 'alice' },
  },
  // carol has no tag: Logged-Shell's default ec2-user, on the node; but the agent recorded dana.
  'startsession-session-log-unexpected-user.json': {
    outcome: 'COMPLIANT',
    expectedUser: 'ec2-user',
    expectedUserSource: 'preferences',
    sessionUser: 'ec2-user',
    userVerified: true,
    principalType: 'user',
    sessionLog: {
      verdict: 'unexpected-user',
      outcome: 'RAN_AS_UNEXPECTED_USER',
      readAfterSeconds: 60,
      observedUser: 'dana',
    },
  },
  // bob's tag names bob, missing from the node's fresh inventory: refused; no stream ever appears,
  // so the second reading, when the window closes, confirms the session never started a shell.
  'startsession-session-log-never-started.json': {
    outcome: 'MISSING_RUN_AS_USER',
    expectedUser: 'bob',
    expectedUserSource: 'principal-tag',
    sessionUser: '',
    userVerified: true,
    principalType: 'user',
    sessionLog: {
      verdict: 'never-started',
      outcome: 'MISSING_RUN_AS_USER',
      readAfterSeconds: 900,
      observedUser: '',
    },
  },
};
