/** What event parsing yields: a command to run, or the reason the event is none of ours (not an error). */
export type Intake<T> =
  | { readonly inScope: true; readonly command: T }
  | { readonly inScope: false; readonly reason: string };

export const inScope = <T>(command: T): Intake<T> => ({ inScope: true, command });

export const outOfScope = <T = never>(reason: string): Intake<T> => ({ inScope: false, reason });
