/**
 * The `RunAs/…` product fields a report reads, in one table: every formatter takes the typed
 * fields from readRunAsFields and the column order from RUN_AS_FIELDS, which is the findings'
 * ProductFields codec's own key table, so no key is spelt twice. A report shows values as
 * Security Hub stores them (escaped), never unescaped control characters.
 */
import { FIELD_KEYS, type RunAsFieldName } from '../findings/productFields.ts';

/** Property → ProductFields key, in the order CSV columns appear: the findings' own codec table. */
export const RUN_AS_FIELDS = FIELD_KEYS;

/** Every known field as a string; an absent key (the contract's "empty") reads as ''. */
export type RunAsFields = { readonly [K in RunAsFieldName]: string };

export const RUN_AS_FIELD_KEYS: readonly string[] = Object.values(RUN_AS_FIELDS);

const isStringMap = (value: unknown): value is Readonly<Record<string, unknown>> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The one reader of ProductFields: anything that is not a string map reads as no fields. */
export const readRunAsFields = (productFields: unknown): RunAsFields => {
  const map = isStringMap(productFields) ? productFields : {};
  const read = (key: string): string => {
    const value = Object.hasOwn(map, key) ? map[key] : undefined;
    return typeof value === 'string' ? value : '';
  };
  return Object.fromEntries(
    Object.entries(RUN_AS_FIELDS).map(([name, key]) => [name, read(key)]),
  ) as unknown as RunAsFields;
};

/** All string-valued product fields (known or not), own keys only, in the order stored. */
export const allProductFields = (productFields: unknown): Readonly<Record<string, string>> => {
  if (!isStringMap(productFields)) return {};
  return Object.fromEntries(
    Object.entries(productFields).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
};
