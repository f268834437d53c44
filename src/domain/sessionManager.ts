/**
 * The constants of Session Manager and the SSM agent that the Run As decision depends on, in one
 * place. Each is what the agent source (amazon-ssm-agent 3.3.1142.0) or the service does.
 */

/** The Region's preferences document: the session document when StartSession names none. */
export const PREFERENCES_DOCUMENT = 'SSM-SessionManagerRunShell';

/** The account sessions run as when Run As is off; the agent creates it with passwordless sudo. */
export const SSM_USER = 'ssm-user';

/** The principal (or session) tag that names a principal's OS user. */
export const RUN_AS_TAG = 'SSMSessionRunAs';

/** IAM Identity Center permission-set roles: they cannot be tagged. */
export const IDENTITY_CENTER_ROLE_PREFIX = 'AWSReservedSSO_';

/** The only session document schema the agent accepts (appconfig.SupportedSessionDocumentVersions). */
export const SESSION_SCHEMA_VERSION = '1.0';

export type SessionType = 'Standard_Stream' | 'Port' | 'InteractiveCommands' | 'NonInteractiveCommands';

export const SESSION_TYPES: readonly SessionType[] = [
  'Standard_Stream',
  'Port',
  'InteractiveCommands',
  'NonInteractiveCommands',
];

export const isCommandSession = (type: SessionType): boolean =>
  type === 'InteractiveCommands' || type === 'NonInteractiveCommands';

/** The SSH-over-Session-Manager document, and the SSH port: Port sessions there bypass Run As. */
export const SSH_DOCUMENT = 'AWS-StartSSHSession';
export const SSH_PORT = '22';

/**
 * Session inputs the agent reads with ConvertToBool, for every session and in this order, before
 * it chooses a user (docparser.go parsePluginStateForStartSession): one it rejects fails the session.
 */
export const CONVERT_TO_BOOL_INPUTS = [
  's3EncryptionEnabled',
  'cloudWatchEncryptionEnabled',
  'runAsEnabled',
] as const;

/** Inputs that are Go `string` fields (null reads as ""); any other type fails the session. */
export const STRING_INPUTS = [
  'runAsDefaultUser',
  's3BucketName',
  's3KeyPrefix',
  'cloudWatchLogGroupName',
  'kmsKeyId',
  'idleSessionTimeout',
  'maxSessionDuration',
] as const;

/** Inputs that are Go `bool` fields: only a JSON boolean (or null) decodes. */
export const BOOL_INPUTS = ['cloudWatchStreamingEnabled'] as const;

/** strconv.ParseBool's spellings; ConvertToBool maps "" (and a missing value) to false first. */
export const AGENT_TRUE: ReadonlySet<string> = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
export const AGENT_FALSE: ReadonlySet<string> = new Set(['', '0', 'f', 'F', 'FALSE', 'false', 'False']);

/** Command-document properties: one block per OS, read into the agent's ShellConfig. */
export const COMMAND_OS_BLOCKS = ['windows', 'linux', 'macos'] as const;

/** Commands that, run from a shell profile, switch the interactive shell to another account. */
export const USER_SWITCH_COMMANDS: ReadonlySet<string> = new Set(['sudo', 'su', 'runuser', 'doas', 'pkexec']);

/** The agent refuses uid 0 and primary gid 0 ("invalid uid and gid"): root is never a Run As user. */
export const ROOT_ID = 0;
export const ROOT_USER = 'root';
