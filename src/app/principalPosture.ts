/**
 * A live principal's posture as a change judges it, shared by a principal's own change and by the
 * re-evaluation a change of the Region's preferences triggers: the decision under the preferences,
 * the fleet pre-check of the user it names, and the principal finding that says it.
 */
import type { Principal } from '../domain/facts.ts';
import { decidePrincipalPosture } from '../domain/posture.ts';
import type { AsffFinding } from '../findings/asff.ts';
import { type ChangeContext, livePosture } from '../findings/changeFinding.ts';
import { buildPrincipalFinding } from '../findings/principalFinding.ts';
import type { Placement } from '../findings/resources.ts';
import type { ChangeReads } from './changeReads.ts';
import type { FleetPrecheck, Prechecked } from './fleetPrecheck.ts';
import type { StoredFinding } from './ports.ts';
import { createdAtOf } from './postureResult.ts';

/** Where a change writes and which change it is. */
export interface ChangeScope {
  readonly placement: Placement;
  readonly change: ChangeContext;
}

export const judgePrincipal = async (
  principal: Principal,
  region: string,
  reads: ChangeReads,
  precheck: FleetPrecheck,
  deniedUsers: ReadonlySet<string>,
): Promise<Prechecked> => {
  const [principalTags, preferences] = await Promise.all([
    reads.tagsOf(principal),
    reads.preferencesOf(region),
  ]);
  // The user a compliant mapping names must also exist on the Region's nodes.
  return precheck(
    decidePrincipalPosture({
      preferences,
      judgedVersion: reads.judgedVersion,
      principal,
      principalTags,
      deniedUsers,
    }),
  );
};

/** The principal finding of a judged principal; CreatedAt is kept from the finding it updates. */
export const livePrincipalFinding = (
  { placement, change }: ChangeScope,
  principal: Principal,
  judged: Prechecked,
  updates: StoredFinding | undefined,
): AsffFinding =>
  buildPrincipalFinding({
    ...placement,
    principal,
    posture: livePosture(judged),
    change,
    ...createdAtOf(updates),
  });
