/**
 * What every report is made from: the evaluations of a run and the findings as Security Hub
 * stores them. Structural types, so replay's and the audit's results pass as they are; every
 * value inside is hostile (tags, documents, session names) and is read through findingView.
 */

export interface ReportRun {
  readonly logicalId: string;
  readonly result?: unknown;
  readonly error?: { readonly errorType: string; readonly errorMessage: string };
}

export interface ReportEvaluation {
  readonly event: string;
  readonly runs: readonly ReportRun[];
}

/** The fields every stored ASFF finding has; the rest is read defensively. */
export interface ReportFinding {
  readonly Id: string;
  readonly Title: string;
  readonly Description: string;
  readonly CreatedAt: string;
  readonly UpdatedAt: string;
}

export interface ReportInput {
  readonly evaluations: readonly ReportEvaluation[];
  readonly findings: readonly ReportFinding[];
}

export const REPORT_FORMATS = ['json', 'csv', 'asff', 'ocsf', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export interface ReportOptions {
  /** When the report was made (ISO-8601): shown in the HTML. Passed in, never read from a clock. */
  readonly generatedAt?: string;
  /** The auditor's version, for OCSF metadata.product.version. */
  readonly productVersion?: string;
}
