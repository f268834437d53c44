/**
 * How the decision's phases hand over: each phase either settles the outcome (with the step that
 * explains it), names the facts it still needs, or passes what it learnt to the next phase.
 */
import type {
  Decision,
  ExpectedUserSource,
  Need,
  SessionTagsUse,
  Step,
  Verdict,
  VersionLabel,
} from './decision.ts';
import type { Outcome } from './outcome.ts';

/** What the phases record on the way. */
export interface Trail {
  readonly steps: Step[];
  sessionTags: SessionTagsUse;
  settingsDocument: string;
  documentVersion: string;
  readonly judgedVersion: VersionLabel;
}

export const newTrail = (judgedVersion: VersionLabel): Trail => ({
  steps: [],
  sessionTags: 'none',
  settingsDocument: '',
  documentVersion: '',
  judgedVersion,
});

export interface Ending {
  readonly outcome: Outcome;
  readonly expectedUser?: string;
  readonly expectedUserSource?: ExpectedUserSource;
  readonly sessionUser?: string;
  readonly userVerified?: boolean;
}

/** A phase that hands over nothing: the outcome is settled, or a fact is missing. */
export type Stop =
  | { readonly kind: 'end'; readonly ending: Ending }
  | { readonly kind: 'needs'; readonly needs: readonly Need[] };

export type Phase<T> = { readonly kind: 'next'; readonly value: T } | Stop;

export const next = <T>(value: T): Phase<T> => ({ kind: 'next', value });

/** Ends the decision: the step explains the outcome. */
export const end = (trail: Trail, step: Step, ending: Ending): Stop => {
  trail.steps.push(step);
  return { kind: 'end', ending };
};

export const needs = (...wanted: readonly Need[]): Stop => ({ kind: 'needs', needs: wanted });

export const unverified = (trail: Trail, step: Step): Stop => end(trail, step, { outcome: 'UNVERIFIED' });

/** A phase that did not hand over a value, as the verdict it gives. */
export const verdictOf = (phase: Stop, trail: Trail): Verdict =>
  phase.kind === 'needs'
    ? { decided: false, needs: phase.needs }
    : { decided: true, decision: decisionOf(trail, phase.ending) };

export const decisionOf = (trail: Trail, ending: Ending): Decision => ({
  outcome: ending.outcome,
  expectedUser: ending.expectedUser ?? '',
  expectedUserSource: ending.expectedUserSource ?? 'none',
  sessionUser: ending.sessionUser ?? '',
  userVerified: ending.userVerified ?? false,
  sessionTags: trail.sessionTags,
  settingsDocument: trail.settingsDocument,
  documentVersion: trail.documentVersion,
  judgedVersion: trail.judgedVersion,
  steps: [...trail.steps],
});
