import type { Known } from './facts.ts';

export type SessionType = 'Standard_Stream' | 'Port' | 'InteractiveCommands' | 'NonInteractiveCommands';

/** The parts of a Session document's content the Run As decision reads. */
export interface SessionDocument {
  readonly schemaVersion: string;
  readonly sessionType: SessionType;
  /** `inputs` as written (Standard_Stream preferences: runAsEnabled, runAsDefaultUser, ...). */
  readonly inputs: Readonly<Record<string, unknown>>;
  /** Declared parameters and their defaults (`{{name}}` templates fall back to these). */
  readonly parameters: Readonly<Record<string, { readonly default?: unknown }>>;
  /** `properties` as written (command documents: linux/macos/windows { commands, runAsElevated }). */
  readonly properties: Readonly<Record<string, unknown>>;
}

/** StartSession `parameters`, as CloudTrail records them: name → list of values. */
export type SessionParameters = Readonly<Record<string, readonly string[]>>;

