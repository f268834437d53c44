/** `json`: the object replay prints, `{"evaluations":[…],"findings":[…]}`, two-space indented. */
import type { ReportInput } from './reportInput.ts';

export const jsonReport = (input: ReportInput): string =>
  `${JSON.stringify({ evaluations: input.evaluations, findings: input.findings }, null, 2)}\n`;
