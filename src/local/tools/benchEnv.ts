/** The process environment of a bench pass: the SDK reaches nothing but the local endpoint. */
import { localCredentials } from '../services/server.ts';

/** Dummy credentials and no instance metadata. */
export const SDK_ENV: Readonly<Record<string, string | undefined>> = {
  ...localCredentials,
  AWS_SESSION_TOKEN: undefined,
  AWS_PROFILE: undefined,
  AWS_EC2_METADATA_DISABLED: 'true',
};

/** Sets process.env keys (undefined deletes) and returns a function that puts the old values back. */
export const patchEnv = (values: Readonly<Record<string, string | undefined>>): (() => void) => {
  const previous = Object.fromEntries(Object.keys(values).map((key) => [key, process.env[key]]));
  const apply = (next: Readonly<Record<string, string | undefined>>): void => {
    for (const [key, value] of Object.entries(next)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
  apply(values);
  return () => apply(previous);
};
