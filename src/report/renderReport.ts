/** One entry point for every report format the CLI offers. */
import { asffReport } from './asffReport.ts';
import { csvReport } from './csvReport.ts';
import { htmlReport } from './htmlReport.ts';
import { jsonReport } from './jsonReport.ts';
import { ocsfReport } from './ocsfReport.ts';
import type { ReportFormat, ReportInput, ReportOptions } from './reportInput.ts';

const RENDERERS: Readonly<Record<ReportFormat, (input: ReportInput, options: ReportOptions) => string>> = {
  json: jsonReport,
  csv: csvReport,
  asff: asffReport,
  ocsf: ocsfReport,
  html: htmlReport,
};

export const renderReport = (format: ReportFormat, input: ReportInput, options: ReportOptions = {}): string =>
  RENDERERS[format](input, options);
