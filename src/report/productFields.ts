/**
 * The `RunAs/…` product fields a report reads, in one table: every formatter takes the typed
 * fields from readRunAsFields and the column order from RUN_AS_FIELDS, so no key is spelt twice.
 */

/** Property → ProductFields key, in the order CSV columns appear. */
export const RUN_AS_FIELDS = {
  check: 'RunAs/Check',
  outcome: 'RunAs/Outcome',
  expectedUser: 'RunAs/ExpectedUser',
  expectedUserSource: 'RunAs/ExpectedUserSource',
  sessionUser: 'RunAs/SessionUser',
  observedUser: 'RunAs/ObservedUser',
  sessionId: 'RunAs/SessionId',
  principal: 'RunAs/Principal',
  principalType: 'RunAs/PrincipalType',
  principalName: 'RunAs/PrincipalName',
  callerArn: 'RunAs/CallerArn',
  target: 'RunAs/Target',
  platform: 'RunAs/Platform',
  document: 'RunAs/Document',
  documentVersion: 'RunAs/DocumentVersion',
  defaultVersion: 'RunAs/DefaultVersion',
  latestVersion: 'RunAs/LatestVersion',
  latestOutcome: 'RunAs/LatestOutcome',
  userVerified: 'RunAs/UserVerified',
  sessionTags: 'RunAs/SessionTags',
  sessionOwner: 'RunAs/SessionOwner',
  terminated: 'RunAs/Terminated',
  nodesChecked: 'RunAs/NodesChecked',
  nodesMissingUser: 'RunAs/NodesMissingUser',
  changeEvent: 'RunAs/ChangeEvent',
  eventId: 'RunAs/EventId',
} as const;

export type RunAsFieldName = keyof typeof RUN_AS_FIELDS;

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
