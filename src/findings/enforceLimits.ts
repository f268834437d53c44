/**
 * Security Hub's per-finding limits, applied last by every finding builder so
 * a hostile or oversized value can never make BatchImportFindings reject the finding.
 */
import { InvalidFindingError } from '../errors.ts';
import type { AsffFinding } from './asff.ts';
import { MAX_FINDING_ID } from './findingId.ts';
import { cleanText, truncateEscaped } from './text.ts';

export const FINDING_LIMITS = {
  title: 256,
  description: 1024,
  remediationText: 512,
  resources: 32,
  productFields: 50,
  productFieldKey: 128,
  productFieldValue: 2048,
  /** "240 KB" read as 240,000 bytes of JSON: the stricter reading holds under either. */
  findingBytes: 240_000,
} as const;

/** Shrinking stops here: below these a field stops saying anything useful. */
const MIN_DESCRIPTION = 128;
const MIN_FIELD_VALUE = 64;

/** UTF-8 length of a string (JSON.stringify output is well formed: lone surrogates are escaped). */
const utf8Length = (text: string): number => {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
};

export const findingBytes = (finding: AsffFinding): number => utf8Length(JSON.stringify(finding));

const isAllowedKey = (key: string): boolean =>
  key.trim() !== '' && key.length <= FINDING_LIMITS.productFieldKey && !key.toLowerCase().startsWith('aws/');

// Security Hub's FieldMap values are NonEmptyString (`.*\S.*`): an empty value fails the whole
// import, so "empty" (e.g. RunAs/SessionUser of a refused session) is written as an absent key.
const limitProductFields = (fields: Readonly<Record<string, string>>): Record<string, string> =>
  Object.fromEntries(
    Object.entries(fields)
      .filter(([key, value]) => isAllowedKey(key) && value.trim() !== '')
      .slice(0, FINDING_LIMITS.productFields)
      .map(([key, value]) => [key, truncateEscaped(value, FINDING_LIMITS.productFieldValue)]),
  );

/**
 * The largest cap in [low, high] whose finding fits, or the finding at `low` when none does.
 * Size grows with the cap, so a binary search needs about log2(high - low) serialisations.
 */
const fitByCap = (low: number, high: number, at: (cap: number) => AsffFinding): AsffFinding => {
  let best = at(low);
  if (findingBytes(best) > FINDING_LIMITS.findingBytes) return best;
  let lo = low + 1;
  let hi = high;
  while (lo <= hi) {
    const mid = Math.floor((lo + hi) / 2);
    const candidate = at(mid);
    if (findingBytes(candidate) <= FINDING_LIMITS.findingBytes) {
      best = candidate;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return best;
};

const shrinkToSize = (finding: AsffFinding): AsffFinding => {
  if (findingBytes(finding) <= FINDING_LIMITS.findingBytes) return finding;
  const description = finding.Description;
  let shrunk = finding;
  if (description.length > MIN_DESCRIPTION) {
    shrunk = fitByCap(MIN_DESCRIPTION, description.length, (cap) => ({
      ...finding,
      Description: cleanText(description, cap),
    }));
    if (findingBytes(shrunk) <= FINDING_LIMITS.findingBytes) return shrunk;
  }
  const fields = shrunk.ProductFields;
  const longest = Math.max(0, ...Object.values(fields).map((value) => value.length));
  if (longest > MIN_FIELD_VALUE) {
    const base = shrunk;
    shrunk = fitByCap(MIN_FIELD_VALUE, longest, (cap) => ({
      ...base,
      ProductFields: Object.fromEntries(
        Object.entries(fields).map(([key, value]) => [key, truncateEscaped(value, cap)]),
      ),
    }));
  }
  const bytes = findingBytes(shrunk);
  if (bytes > FINDING_LIMITS.findingBytes) {
    throw new InvalidFindingError(`finding ${finding.Id} is ${bytes} bytes even with its text shrunk`);
  }
  return shrunk;
};

/** Applies every per-finding limit; the result is what BatchImportFindings receives. */
export const enforceLimits = (finding: AsffFinding): AsffFinding => {
  if (finding.Id.length > MAX_FINDING_ID) {
    throw new InvalidFindingError(`finding id ${finding.Id.slice(0, 64)}… is longer than ${MAX_FINDING_ID}`);
  }
  if (finding.Resources.length === 0) {
    throw new InvalidFindingError(`finding ${finding.Id} has no resource (Security Hub requires 1 to 32)`);
  }
  const remediation = finding.Remediation;
  const limited: AsffFinding = {
    ...finding,
    Title: cleanText(finding.Title, FINDING_LIMITS.title),
    Description: cleanText(finding.Description, FINDING_LIMITS.description),
    ...(remediation === undefined
      ? {}
      : {
          Remediation: {
            Recommendation: {
              ...remediation.Recommendation,
              Text: cleanText(remediation.Recommendation.Text, FINDING_LIMITS.remediationText),
            },
          },
        }),
    ProductFields: limitProductFields(finding.ProductFields),
    Resources: finding.Resources.slice(0, FINDING_LIMITS.resources),
  };
  if (limited.Title === '' || limited.Description === '') {
    throw new InvalidFindingError(`finding ${finding.Id} has a blank Title or Description`);
  }
  return shrinkToSize(limited);
};
