import { describe, expect, it } from 'vitest';
import { wrapCloudTrailRecord } from '../../../src/events/cloudTrailRecord.ts';
import { eventsOfJson, sortByEventTime } from '../../../src/local/tools/eventInput.ts';
import { InputFileError } from '../../../src/local/tools/inputError.ts';

const record = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  eventVersion: '1.08',
  eventSource: 'ssm.amazonaws.com',
  eventName: 'StartSession',
  eventType: 'AwsApiCall',
  eventTime: '2026-03-01T12:00:00.123Z',
  eventID: 'e6e12577-a880-4a62-86af-19c0318dfd2e',
  awsRegion: 'eu-west-1',
  recipientAccountId: '111122223333',
  userIdentity: { type: 'IAMUser', accountId: '444455556666' },
  ...over,
});

describe('a CloudTrail record wrapped as EventBridge delivers it', () => {
  it('gets the envelope of an API call: source, account, Region, time in whole seconds, the record as detail', () => {
    // Act
    const event = wrapCloudTrailRecord(record());

    // Assess
    expect(event).toEqual({
      version: '0',
      id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
      'detail-type': 'AWS API Call via CloudTrail',
      source: 'aws.ssm',
      account: '111122223333',
      time: '2026-03-01T12:00:00Z',
      region: 'eu-west-1',
      resources: [],
      detail: record(),
    });
  });

  it.each([
    ['AwsConsoleSignIn', 'signin.amazonaws.com', 'AWS Console Signin via CloudTrail', 'aws.signin'],
    ['AwsServiceEvent', 'ssm.amazonaws.com', 'AWS Service Event via CloudTrail', 'aws.ssm'],
    ['AwsApiCall', 'iam.amazonaws.com', 'AWS API Call via CloudTrail', 'aws.iam'],
  ])('%s from %s is "%s" from %s', (eventType, eventSource, detailType, source) => {
    // Act
    const event = wrapCloudTrailRecord(record({ eventType, eventSource }));

    // Assess
    expect(event).toMatchObject({ 'detail-type': detailType, source });
  });

  it('has the same id on every replay, and another for another record', () => {
    // Act
    const [a, b, c] = [record(), record(), record({ eventID: 'other' })].map(
      (r) => wrapCloudTrailRecord(r).id,
    );

    // Assess
    expect(a).toBe(b);
    expect(a).not.toBe(c);
  });
});

describe('the events of a parsed file', () => {
  it('takes an EventBridge event as it is, a record wrapped, and each record of a log file', () => {
    // Prepare
    const envelope = { 'detail-type': 'AWS API Call via CloudTrail', source: 'aws.ssm', detail: record() };

    // Act
    const events = [
      ...eventsOfJson('/x/event.json', envelope),
      ...eventsOfJson('/x/record.json', record()),
      ...eventsOfJson('/x/trail.json.gz', { Records: [record(), record({ eventID: '2' })] }),
    ];

    // Assess
    expect(events.map((e) => e.name)).toEqual([
      'event.json',
      'record.json',
      'trail.json.gz[0]',
      'trail.json.gz[1]',
    ]);
    expect(events[0]?.event).toBe(envelope);
    expect(events.slice(1).map((e) => (e.event as { source: string }).source)).toEqual([
      'aws.ssm',
      'aws.ssm',
      'aws.ssm',
    ]);
  });

  it.each([
    ['package metadata', { name: 'x', version: '1.0.0' }, ''],
    ['a list', [record()], ''],
    ['a log file with a stray entry', { Records: [record(), { hello: 'world' }] }, 'Records[1]'],
  ])('rejects %s, naming the file', (_case, json, path) => {
    // Act
    const attempt = () => eventsOfJson('/x/f.json', json);

    // Assess
    expect(attempt).toThrow(InputFileError);
    expect(attempt).toThrow(
      path === ''
        ? '/x/f.json: is not an EventBridge event'
        : `/x/f.json: ${path}: is not a CloudTrail record`,
    );
  });
});

describe('event-time order', () => {
  it('orders by CloudTrail eventTime (else the envelope time), ties in input order, undated last', () => {
    // Prepare
    const at = (name: string, time: string | undefined) => ({
      name,
      event: time === undefined ? {} : { time, detail: { eventTime: time } },
    });

    // Act
    const sorted = sortByEventTime([
      at('late', '2026-03-01T14:00:00Z'),
      at('undated', undefined),
      at('early', '2026-03-01T12:00:00Z'),
      at('early-too', '2026-03-01T12:00:00Z'),
      { name: 'envelope-only', event: { time: '2026-03-01T13:00:00Z' } },
    ]);

    // Assess
    expect(sorted.map((e) => e.name)).toEqual(['early', 'early-too', 'envelope-only', 'late', 'undated']);
  });
});
