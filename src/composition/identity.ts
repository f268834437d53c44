/**
 * Wires the identity function: the state table's identity records, and a session audit's ports
 * (writing into the record's batch) for the sessions it audits again. Without a state table it
 * has nothing to do: a cold start error says so.
 */
import { type RecordFindings, sessionPortsIn } from '../app/findingBatch.ts';
import type { FindingImporter } from '../app/ports.ts';
import type { IdentityPorts } from '../app/storeIdentity.ts';
import type { Config } from '../config.ts';
import { ConfigError } from '../errors.ts';
import type { ClientOptions, Placement } from './clients.ts';
import { createSessionAuditPorts } from './sessionAudit.ts';

export interface IdentityWiring {
  /** A record's ports: `remainingTimeMs` is its invocation's (the pacer waits within it). */
  readonly portsFor: (findings: RecordFindings, remainingTimeMs: () => number) => IdentityPorts;
  readonly importerFor: (placement: Placement) => FindingImporter;
}

export const createIdentityPorts = (config: Config, clientOptions: ClientOptions = {}): IdentityWiring => {
  const wiring = createSessionAuditPorts(config, clientOptions);
  const { state } = wiring;
  if (state === undefined) {
    throw new ConfigError(
      'STATE_TABLE_NAME must name the state table: the identity function stores records in it',
    );
  }
  return {
    portsFor: (findings, remainingTimeMs) => ({
      identities: state.identities,
      tagHistory: state.tagHistory,
      sessionPortsFor: (accountId, region) =>
        sessionPortsIn(wiring.portsFor(accountId, region, remainingTimeMs), findings, { accountId, region }),
    }),
    importerFor: wiring.importerFor,
  };
};
