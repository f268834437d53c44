/**
 * Where the audit command reads AWS from. `--world W.json`: a local endpoint serving the world,
 * on its `now` and in event time (pacing waits move the clock instead of sleeping, as in replay).
 * Otherwise the caller's account, through the SDK's default credential chain or `--profile`
 * (IAM Identity Center sign-in through the profile included); missing credentials and denied
 * calls are one line naming what to do, not an internal error.
 */
import { classifySdkError, sdkErrorName } from '../aws/sdkErrors.ts';
import { callerIdentity, defaultRegion } from '../composition/auditCommand.ts';
import { isRegion } from '../domain/identifiers.ts';
import { AwsCallError } from '../errors.ts';
import { ManualClock } from '../local/services/quotas.ts';
import { localCredentials, startLocalAws } from '../local/services/server.ts';
import { InputError, UsageError } from '../local/tools/inputError.ts';
import { virtualPacingClock } from '../local/tools/virtualTime.ts';
import type { World } from '../local/world/world.ts';
import type { AuditTarget } from './auditRun.ts';

/** AWS could not be used as asked: no credentials, expired sign-in, a call the credentials may not make. */
export class AwsSetupError extends InputError {
  override readonly name: string = 'AwsSetupError';
}

const CREDENTIAL_ERRORS = new Set([
  'CredentialsProviderError',
  'TokenProviderError',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
]);

const causes = (error: unknown): unknown[] => {
  const chain: unknown[] = [];
  for (
    let e: unknown = error;
    e !== undefined && chain.length < 6;
    e = e instanceof Error ? e.cause : undefined
  ) {
    chain.push(e);
  }
  return chain;
};

/** The one line for an AWS error a user can fix, or undefined for anything else (a bug, an outage). */
export const setupErrorOf = (error: unknown, profile: string | undefined): AwsSetupError | undefined => {
  const chain = causes(error);
  const credential = chain.find((e) => CREDENTIAL_ERRORS.has(sdkErrorName(e)));
  if (credential !== undefined) {
    const message = credential instanceof Error ? credential.message.split('\n')[0] : String(credential);
    const signIn =
      profile === undefined
        ? 'set AWS_PROFILE or pass --profile P (aws sso login --profile P for IAM Identity Center)'
        : `sign in again (aws sso login --profile ${profile}) or check the profile in ~/.aws/config`;
    return new AwsSetupError(
      '',
      `no usable AWS credentials (${sdkErrorName(credential)}: ${message}): ${signIn}; --world W.json audits a world file instead`,
      { cause: error },
    );
  }
  const call = chain.find((e): e is AwsCallError => e instanceof AwsCallError);
  if (call !== undefined && classifySdkError(call.cause) === 'access-denied') {
    return new AwsSetupError(
      '',
      `${call.message}: the credentials need ${call.operation} (README: the audit command's permissions)`,
      { cause: error },
    );
  }
  return undefined;
};

export interface Setup {
  readonly target: AuditTarget;
  /** The Regions to audit: the flags', else the world's or the SDK's default. */
  readonly regions: readonly string[];
  close(): Promise<void>;
}

const checkRegions = (regions: readonly string[]): readonly string[] => {
  for (const region of regions) {
    if (!isRegion(region))
      throw new UsageError(
        '',
        `--region must be an AWS Region such as us-east-1, got ${JSON.stringify(region)}`,
      );
  }
  return [...new Set(regions)];
};

/** Serves the world on a local endpoint and points every SDK client of this process at it until close(). */
export const worldSetup = async (world: World, regions: readonly string[]): Promise<Setup> => {
  const chosen = checkRegions(regions.length > 0 ? regions : Object.keys(world.regions));
  const clock = new ManualClock(Date.parse(world.now));
  const local = await startLocalAws(world, { clock });
  const vars: Record<string, string | undefined> = {
    ...local.endpointEnv(),
    ...localCredentials,
    AWS_SESSION_TOKEN: undefined,
    AWS_PROFILE: undefined,
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  const saved = Object.fromEntries(Object.keys(vars).map((key) => [key, process.env[key]]));
  const apply = (values: Record<string, string | undefined>): void => {
    for (const [key, value] of Object.entries(values)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
  apply(vars);
  return {
    target: {
      kind: 'world',
      accountId: world.accountId,
      caller: `arn:${world.partition ?? 'aws'}:iam::${world.accountId}:user/runas-audit`,
      clock: Date.parse(world.now),
      clientOptions: { pacingClock: virtualPacingClock(clock), maxAttempts: 3 },
    },
    regions: chosen,
    close: async () => {
      apply(saved);
      await local.close();
    },
  };
};

/** The caller's account through the SDK's credential chain (or the profile). */
export const awsSetup = async (profile: string | undefined, regions: readonly string[]): Promise<Setup> => {
  const clientOptions = profile === undefined ? {} : { profile };
  try {
    const chosen =
      regions.length > 0 ? regions : [await defaultRegion(clientOptions)].filter((r) => r !== undefined);
    const [first] = chosen;
    if (first === undefined) {
      throw new UsageError('', 'needs --region R: no Region in AWS_REGION or the profile');
    }
    const caller = await callerIdentity(first, clientOptions);
    return {
      target: {
        kind: 'aws',
        accountId: caller.accountId,
        caller: caller.arn,
        clock: Date.now(),
        clientOptions,
      },
      regions: checkRegions(chosen),
      close: async () => undefined,
    };
  } catch (error) {
    throw setupErrorOf(error, profile) ?? error;
  }
};
