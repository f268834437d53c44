/** Posture findings written by the fleet pre-check: titles, counts, the node list. */
import { describe, expect, it } from 'vitest';
import { type FleetPresence, withFleetPresence } from '../../../src/domain/fleetPresence.ts';
import { FINDING_LIMITS } from '../../../src/findings/enforceLimits.ts';
import { buildPreferencesFinding } from '../../../src/findings/preferencesFinding.ts';
import { buildPrincipalFinding } from '../../../src/findings/principalFinding.ts';
import { PREFS_ON } from '../domain/runAsFixtures.ts';
import { change, documentPosture, nodes, operators, placement, principalPosture } from './changeBuilders.ts';

const principalFinding = (fleet: FleetPresence) => {
  const decision = principalPosture({ SSMSessionRunAs: 'opsadmin' });
  return buildPrincipalFinding({
    ...placement,
    principal: operators,
    posture: { exists: true, decision: withFleetPresence(decision, fleet), fleet },
    change,
  });
};

describe('principal finding after the fleet pre-check', () => {
  it.each([
    { missing: 1, words: '1 node' },
    { missing: 3, words: '3 nodes' },
  ])('says the user is missing on $words in the title', ({ missing, words }) => {
    // Act
    const finding = principalFinding({ checked: 10, missing: nodes(missing), unknown: 0 });

    // Assess
    expect(finding.Title).toBe(
      `Role Operators maps to "opsadmin" in us-east-1, which is missing on ${words}: its sessions there are refused`,
    );
    expect(finding.ProductFields).toMatchObject({
      'RunAs/Outcome': 'MISSING_RUN_AS_USER',
      'RunAs/NodesMissingUser': String(missing),
      'RunAs/NodesChecked': '10',
    });
  });

  it('names 20 of 23 nodes and the count of the rest, within the description limit, fix included', () => {
    // Prepare
    const missing = nodes(23);

    // Act
    const finding = principalFinding({ checked: 27, missing, unknown: 2 });

    // Assess
    expect(finding.Description.length).toBeLessThanOrEqual(FINDING_LIMITS.description);
    expect(finding.Description).toContain(`${missing.slice(0, 20).join(', ')} and 3 more.`);
    expect(finding.Description).not.toContain(missing[22] ?? 'none');
    expect(finding.Description).toMatch(
      / and 3 more\. Fix: Create "opsadmin" on those nodes \(locally or in their directory\), or correct the SSMSessionRunAs tag\.$/,
    );
    expect(finding.Remediation?.Recommendation?.Text).toContain('or correct the SSMSessionRunAs tag');
  });

  it('keeps the counts on a resolved finding (no node missing)', () => {
    // Act
    const finding = principalFinding({ checked: 25, missing: [], unknown: 0 });

    // Assess
    expect(finding.Compliance.Status).toBe('PASSED');
    expect(finding.ProductFields).toMatchObject({
      'RunAs/Outcome': 'COMPLIANT',
      'RunAs/NodesMissingUser': '0',
      'RunAs/NodesChecked': '25',
    });
  });
});

describe('preferences finding after the fleet pre-check', () => {
  it('says the default user is missing on some nodes, for a custom document too', () => {
    // Prepare
    const fleet = { checked: 4, missing: nodes(2), unknown: 0 };
    const decision = documentPosture(PREFS_ON, 'Team-Shell');

    // Act
    const finding = buildPreferencesFinding({
      ...placement,
      documentName: 'Team-Shell',
      posture: { exists: true, decision: withFleetPresence(decision, fleet), fleet },
      change,
    });

    // Assess
    expect(finding.Title).toBe(
      'Default Run As user "ec2-user" in document "Team-Shell" (us-east-1) is missing on 2 nodes: sessions of untagged principals there are refused',
    );
    expect(finding.Severity.Label).toBe('MEDIUM');
    expect(finding.ProductFields).toMatchObject({
      'RunAs/Check': 'preferences',
      'RunAs/NodesMissingUser': '2',
      'RunAs/NodesChecked': '4',
    });
  });

  it('writes no node counts when the pre-check did not run', () => {
    // Prepare
    const decision = documentPosture(PREFS_ON, 'Team-Shell');

    // Act
    const finding = buildPreferencesFinding({
      ...placement,
      documentName: 'Team-Shell',
      posture: { exists: true, decision },
      change,
    });

    // Assess
    expect(finding.ProductFields).not.toHaveProperty('RunAs/NodesMissingUser');
    expect(finding.ProductFields).not.toHaveProperty('RunAs/NodesChecked');
  });
});
