import { describe, expect, it } from 'vitest';
import { buildPreferencesFinding } from '../../../src/findings/preferencesFinding.ts';
import {
  commandContent,
  PREFS_OFF,
  PREFS_ON,
  PREFS_ON_NO_DEFAULT,
  portContent,
  read,
  shellContent,
} from '../domain/runAsFixtures.ts';
import { HIDDEN, shownTexts } from './builders.ts';
import { ACCOUNT, change, documentPosture, placement, T0 } from './changeBuilders.ts';

const build = (decision: ReturnType<typeof documentPosture>, documentName = 'SSM-SessionManagerRunShell') =>
  buildPreferencesFinding({ ...placement, documentName, posture: { exists: true, decision }, change });

describe('buildPreferencesFinding', () => {
  it.each<[string, unknown, string]>([
    [
      'SSM-SessionManagerRunShell',
      PREFS_OFF,
      'Run As is off in us-east-1: every shell session runs as ssm-user',
    ],
    [
      'RunAsOff-Shell',
      PREFS_OFF,
      'Run As is off in document "RunAsOff-Shell" (us-east-1): its shell sessions run as ssm-user',
    ],
    ['SSM-SessionManagerRunShell', PREFS_ON, 'Run As is on in us-east-1 with default user "ec2-user"'],
    [
      'SSM-SessionManagerRunShell',
      PREFS_ON_NO_DEFAULT,
      'Run As has no default user in us-east-1: sessions of untagged principals are refused',
    ],
    [
      'SSM-SessionManagerRunShell',
      shellContent({ runAsEnabled: true, runAsDefaultUser: 'ssm-user' }),
      'Default Run As user is ssm-user in us-east-1: untagged principals get passwordless sudo',
    ],
    [
      'SSM-SessionManagerRunShell',
      shellContent({ runAsEnabled: true, runAsDefaultUser: 'root' }),
      'Default Run As user "root" is denied in us-east-1',
    ],
    [
      'SSM-SessionManagerRunShell',
      shellContent({ runAsEnabled: true, runAsDefaultUser: '$(reboot)' }),
      'Default Run As user in us-east-1 is not a safe user name',
    ],
    [
      'SSM-SessionManagerRunShell',
      { ...PREFS_ON, schemaVersion: '2.2' },
      'Invalid Run As setting in us-east-1: every session using it fails',
    ],
    [
      'Elevated',
      commandContent('InteractiveCommands', { linux: { commands: 'top', runAsElevated: true } }),
      'Document "Elevated" runs its commands as root (runAsElevated) in us-east-1',
    ],
    ['Tunnel', portContent('22'), 'Document "Tunnel" opens SSH tunnels in us-east-1: Run As is bypassed'],
    [
      'SSM-SessionManagerRunShell',
      shellContent({
        runAsEnabled: true,
        runAsDefaultUser: 'ec2-user',
        shellProfile: { linux: 'exec su -' },
      }),
      'The shell profile in us-east-1 switches user after the session starts',
    ],
  ])('titles %s with %j', (name, content, title) => {
    // Act
    const finding = build(documentPosture(content, name), name);

    // Assess
    expect(finding.Title).toBe(title);
    expect(finding.Id).toBe(`${ACCOUNT}/us-east-1/ssm-runas/preferences/${name}`);
    for (const text of shownTexts(finding)) expect(text).not.toMatch(HIDDEN);
  });

  it('says what the other version would give, in the title, the description and the fields', () => {
    // Act
    const finding = build(documentPosture(PREFS_ON, 'SSM-SessionManagerRunShell', read(PREFS_OFF, '1')));

    // Assess
    expect(finding.Title).toBe(
      'Run As is on in us-east-1 with default user "ec2-user" ($DEFAULT version 1 differs)',
    );
    expect(finding.Description).toContain(
      '$DEFAULT (version "1") has other Run As settings: judged by it, this would be RAN_AS_SSM_USER with user "ssm-user".',
    );
    expect(finding.ProductFields).toMatchObject({
      'RunAs/DocumentVersion': '3',
      'RunAs/JudgedVersion': '$LATEST',
      'RunAs/OtherVersion': '1',
      'RunAs/OtherVersionOutcome': 'RAN_AS_SSM_USER',
    });
  });

  it('archives the finding of a deleted document, keeping CreatedAt', () => {
    // Act
    const finding = buildPreferencesFinding({
      ...placement,
      documentName: 'RootDefault-Shell',
      posture: { exists: false },
      change,
      createdAt: T0,
    });

    // Assess
    expect(finding).toMatchObject({
      Title: 'Document "RootDefault-Shell" was deleted in us-east-1',
      RecordState: 'ARCHIVED',
      CreatedAt: T0,
    });
    expect(finding.ProductFields['RunAs/Document']).toBe('RootDefault-Shell');
  });
});
