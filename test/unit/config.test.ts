import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { ConfigError } from '../../src/errors.ts';

const base = { AWS_REGION: 'eu-west-1' };

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    // Act
    const config = loadConfig(base);
    // Assess
    expect(config).toMatchObject({
      region: 'eu-west-1',
      reportCompliantSessions: false,
      reportNotApplicable: false,
      userDirectory: 'inventory',
      inventoryTypeName: 'Custom:OSUsers',
      auditedRegions: ['eu-west-1'],
      terminateStaleSessions: false,
      cacheTtlSeconds: 60,
      sessionDocumentVersion: '$LATEST',
      maximumConcurrency: 1,
      sessionVerificationQueueUrl: '',
      sessionLogReadDelaySeconds: 60,
      sessionLogWindowSeconds: 900,
    });
    expect([...config.deniedRunAsUsers]).toEqual(['root']);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reads every setting', () => {
    const config = loadConfig({
      ...base,
      DENIED_RUN_AS_USERS: 'root, admin ,',
      REPORT_COMPLIANT_SESSIONS: 'true',
      REPORT_NOT_APPLICABLE: 'true',
      USER_DIRECTORY: 'none',
      INVENTORY_TYPE_NAME: 'Custom:Users',
      AUDITED_REGIONS: 'us-east-1,eu-west-1',
      TERMINATE_STALE_SESSIONS: 'true',
      INVENTORY_MAX_AGE_HOURS: '12',
      CACHE_TTL_SECONDS: '0',
      PROBE_POLL_INTERVAL_MS: '250',
      SESSION_DOCUMENT_VERSION: 'default',
      MAXIMUM_CONCURRENCY: '5',
    });
    expect([...config.deniedRunAsUsers]).toEqual(['root', 'admin']);
    expect(config).toMatchObject({
      reportCompliantSessions: true,
      reportNotApplicable: true,
      userDirectory: 'none',
      inventoryTypeName: 'Custom:Users',
      auditedRegions: ['us-east-1', 'eu-west-1'],
      terminateStaleSessions: true,
      inventoryMaxAgeHours: 12,
      cacheTtlSeconds: 0,
      probePollIntervalMs: 250,
      sessionDocumentVersion: '$DEFAULT',
      maximumConcurrency: 5,
    });
  });

  it('reads the session log settings: the queue, the delay, and a window up to 900 s past it', () => {
    // Act
    const config = loadConfig({
      ...base,
      SESSION_VERIFICATION_QUEUE_URL:
        'https://sqs.eu-west-1.amazonaws.com/111122223333/stack-SessionVerificationQueue-AbC1',
      SESSION_LOG_READ_DELAY_SECONDS: '120',
      SESSION_LOG_WINDOW_SECONDS: '1020',
    });

    // Assess
    expect(config).toMatchObject({
      sessionVerificationQueueUrl:
        'https://sqs.eu-west-1.amazonaws.com/111122223333/stack-SessionVerificationQueue-AbC1',
      sessionLogReadDelaySeconds: 120,
      sessionLogWindowSeconds: 1020,
    });
  });

  it('an empty deny list is allowed (explicitly set to nothing)', () => {
    expect([...loadConfig({ ...base, DENIED_RUN_AS_USERS: '' }).deniedRunAsUsers]).toEqual([]);
  });

  it.each([
    [{ AWS_REGION: '' }, 'AWS_REGION'],
    [{ AWS_REGION: 'mars-1' }, 'AWS_REGION'],
    [{ ...base, REPORT_COMPLIANT_SESSIONS: 'yes' }, 'REPORT_COMPLIANT_SESSIONS'],
    [{ ...base, REPORT_NOT_APPLICABLE: '1' }, 'REPORT_NOT_APPLICABLE'],
    [{ ...base, TERMINATE_STALE_SESSIONS: 'TRUE' }, 'TERMINATE_STALE_SESSIONS'],
    [{ ...base, USER_DIRECTORY: 'ldap' }, 'USER_DIRECTORY'],
    [{ ...base, INVENTORY_TYPE_NAME: 'AWS:Application' }, 'INVENTORY_TYPE_NAME'],
    [{ ...base, AUDITED_REGIONS: 'us-east-1,nowhere' }, 'AUDITED_REGIONS'],
    [{ ...base, DENIED_RUN_AS_USERS: 'root,$(reboot)' }, 'DENIED_RUN_AS_USERS'],
    [{ ...base, INVENTORY_MAX_AGE_HOURS: '-1' }, 'INVENTORY_MAX_AGE_HOURS'],
    [{ ...base, CACHE_TTL_SECONDS: 'soon' }, 'CACHE_TTL_SECONDS'],
    [{ ...base, PROBE_POLL_INTERVAL_MS: '-5' }, 'PROBE_POLL_INTERVAL_MS'],
    [{ ...base, SESSION_DOCUMENT_VERSION: '$LATEST' }, 'SESSION_DOCUMENT_VERSION'],
    [{ ...base, SESSION_DOCUMENT_VERSION: 'constructor' }, 'SESSION_DOCUMENT_VERSION'],
    [{ ...base, MAXIMUM_CONCURRENCY: '0' }, 'MAXIMUM_CONCURRENCY'],
    [{ ...base, MAXIMUM_CONCURRENCY: '2.5' }, 'MAXIMUM_CONCURRENCY'],
    [{ ...base, MAXIMUM_CONCURRENCY: '1001' }, 'MAXIMUM_CONCURRENCY'],
    [
      { ...base, SESSION_VERIFICATION_QUEUE_URL: 'arn:aws:sqs:eu-west-1:111122223333:q' },
      'SESSION_VERIFICATION_QUEUE_URL',
    ],
    [{ ...base, SESSION_LOG_READ_DELAY_SECONDS: '0' }, 'SESSION_LOG_READ_DELAY_SECONDS'],
    [{ ...base, SESSION_LOG_READ_DELAY_SECONDS: '901' }, 'SESSION_LOG_READ_DELAY_SECONDS'],
    [{ ...base, SESSION_LOG_WINDOW_SECONDS: '30' }, 'SESSION_LOG_WINDOW_SECONDS'],
    [{ ...base, SESSION_LOG_WINDOW_SECONDS: '961' }, 'SESSION_LOG_WINDOW_SECONDS'],
  ])('rejects %j naming %s', (env, variable) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(variable);
  });

  it('reads the state table and the Identity Center Region, both optional', () => {
    // Act
    const none = loadConfig(base);
    const both = loadConfig({
      ...base,
      STATE_TABLE_NAME: 'runas-StateTable-1A2B',
      IDENTITY_CENTER_REGION: 'eu-central-1',
    });

    // Assess
    expect(none).toMatchObject({ stateTableName: undefined, identityCenterRegion: undefined });
    expect(both).toMatchObject({
      stateTableName: 'runas-StateTable-1A2B',
      identityCenterRegion: 'eu-central-1',
    });
  });

  it.each([
    ['STATE_TABLE_NAME', 'a table/name'],
    ['STATE_TABLE_NAME', 'ab'],
    ['IDENTITY_CENTER_REGION', 'Frankfurt'],
  ])('refuses %s=%j, naming it', (name, value) => {
    // Act
    const act = () => loadConfig({ ...base, [name]: value });

    // Assess
    expect(act).toThrow(ConfigError);
    expect(act).toThrow(name);
  });

  describe('organization', () => {
    const organization = { ...base, ORGANIZATION_ID: 'o-a1b2c3d4e5', AUDIT_ACCOUNT_ID: '111122223333' };

    it('is off without ORGANIZATION_ID, whatever else is set', () => {
      // Act
      const config = loadConfig({ ...base, ORGANIZATION_ID: '', MEMBER_ROLE_NAME: 'reader' });

      // Assess
      expect(config.organization).toBeUndefined();
    });

    it('reads the organization, the audit account, the member role (default) and the function name', () => {
      // Act
      const config = loadConfig({ ...organization, AWS_LAMBDA_FUNCTION_NAME: 'stack-AuditSession-AbC' });

      // Assess
      expect(config.organization).toEqual({
        id: 'o-a1b2c3d4e5',
        auditAccountId: '111122223333',
        memberRoleName: 'ssm-runas-auditor-member',
        externalId: undefined,
        functionName: 'stack-AuditSession-AbC',
        sweptAccounts: [],
      });
    });

    it('reads a member role with a path and an external id', () => {
      // Act
      const config = loadConfig({
        ...organization,
        MEMBER_ROLE_NAME: 'audit/runas-reader',
        MEMBER_EXTERNAL_ID: 'runas-7f3a',
      });

      // Assess
      expect(config.organization).toMatchObject({
        memberRoleName: 'audit/runas-reader',
        externalId: 'runas-7f3a',
      });
    });

    it('refuses AUDITED_ACCOUNTS without an organization', () => {
      // Act
      const act = () => loadConfig({ ...base, AUDITED_ACCOUNTS: '222233334444' });

      // Assess
      expect(act).toThrow(ConfigError);
      expect(act).toThrow('AUDITED_ACCOUNTS needs ORGANIZATION_ID');
    });

    it.each([
      ['AUDITED_ACCOUNTS', '2222'],
      ['ORGANIZATION_ID', 'o-A1'],
      ['AUDIT_ACCOUNT_ID', '1111'],
      ['AUDIT_ACCOUNT_ID', ''],
      ['MEMBER_ROLE_NAME', 'has space'],
      ['MEMBER_ROLE_NAME', 'x'.repeat(65)],
      ['MEMBER_EXTERNAL_ID', 'a'],
      ['MEMBER_EXTERNAL_ID', 'has space'],
    ])('refuses %s=%j, naming it', (name, value) => {
      // Act
      const act = () => loadConfig({ ...organization, [name]: value });

      // Assess
      expect(act).toThrow(ConfigError);
      expect(act).toThrow(name);
    });

    it('never repeats the external id in its error', () => {
      // Act
      const act = () => loadConfig({ ...organization, MEMBER_EXTERNAL_ID: 'secret value' });

      // Assess
      expect(act).toThrow(/^(?!.*secret value)/);
    });
  });
});
