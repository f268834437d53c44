import { describe, expect, it } from 'vitest';
import { LogGroupsError, parseLogGroups } from '../../../src/local/world/worldLogs.ts';

const AT = 'regions.us-east-1.logGroups';
const KEY = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const SESSION = 'alice-0a1b2c3d4e5f6a7b8';

const group = (overrides: Record<string, unknown> = {}) => ({
  name: '/ssm/sessions',
  streams: [{ name: SESSION, events: [{ timestamp: '2026-03-01T00:05:03Z', message: 'hello' }] }],
  ...overrides,
});
const withEvent = (event: Record<string, unknown>) =>
  group({ streams: [{ name: SESSION, events: [event] }] });

describe('parseLogGroups', () => {
  it('parses groups, streams and events, with readable defaulting to true', () => {
    // Act
    const groups = parseLogGroups(
      [
        group(),
        { name: '/ssm/encrypted', kmsKeyId: KEY, readable: false },
        { name: '/ssm/empty', streams: [] },
      ],
      AT,
    );

    // Assess
    expect(groups).toEqual([
      {
        name: '/ssm/sessions',
        readable: true,
        streams: [
          { name: SESSION, events: [{ timestamp: Date.parse('2026-03-01T00:05:03Z'), message: 'hello' }] },
        ],
      },
      { name: '/ssm/encrypted', kmsKeyId: KEY, readable: false, streams: [] },
      { name: '/ssm/empty', readable: true, streams: [] },
    ]);
  });

  it('stores a message written as a JSON object as its JSON text, and sorts events by time, stably', () => {
    // Prepare
    const record = { eventVersion: '1.0', runAsUser: 'alice' };

    // Act
    const [parsed] = parseLogGroups(
      [
        group({
          streams: [
            {
              name: SESSION,
              events: [
                { timestamp: '2026-03-01T00:05:04Z', message: 'later' },
                { timestamp: '2026-03-01T00:05:03Z', message: record },
                { timestamp: '2026-03-01T00:05:04Z', message: 'later, written second' },
              ],
            },
          ],
        }),
      ],
      AT,
    );

    // Assess
    expect(parsed?.streams[0]?.events.map((event) => event.message)).toEqual([
      JSON.stringify(record),
      'later',
      'later, written second',
    ]);
  });

  it.each<[string, unknown, string, string]>([
    ['not a list', { name: '/a' }, AT, 'expected an array'],
    ['a group that is not an object', ['/a'], `${AT}[0]`, 'expected an object'],
    ['an unknown group key', [group({ retention: 7 })], `${AT}[0].retention`, 'unknown key'],
    ['a group name with a colon', [group({ name: 'a:b' })], `${AT}[0].name`, 'log group name'],
    ['a group name of 513 characters', [group({ name: 'a'.repeat(513) })], `${AT}[0].name`, 'log group name'],
    ['no group name', [{ streams: [] }], `${AT}[0].name`, 'log group name'],
    ['a duplicate group', [group(), group()], `${AT}[1].name`, 'duplicate log group'],
    ['a key id that is not an ARN', [group({ kmsKeyId: '1234abcd' })], `${AT}[0].kmsKeyId`, 'KMS key ARN'],
    ['readable as a string', [group({ readable: 'no' })], `${AT}[0].readable`, 'true | false'],
    ['streams not a list', [group({ streams: {} })], `${AT}[0].streams`, 'expected an array'],
    [
      'a stream name with "*"',
      [group({ streams: [{ name: 'a*b' }] })],
      `${AT}[0].streams[0].name`,
      'stream name',
    ],
    ['an empty stream name', [group({ streams: [{ name: '' }] })], `${AT}[0].streams[0].name`, 'stream name'],
    [
      'a duplicate stream',
      [group({ streams: [{ name: SESSION }, { name: SESSION }] })],
      `${AT}[0].streams[1].name`,
      'duplicate log stream',
    ],
    [
      'an unknown stream key',
      [group({ streams: [{ name: SESSION, arn: 'x' }] })],
      `${AT}[0].streams[0].arn`,
      'unknown key',
    ],
    [
      'an epoch-number timestamp',
      [withEvent({ timestamp: 1_772_323_503_000, message: 'x' })],
      `${AT}[0].streams[0].events[0].timestamp`,
      'ISO time',
    ],
    [
      'an impossible time',
      [withEvent({ timestamp: '2026-02-30T25:00:00Z', message: 'x' })],
      `${AT}[0].streams[0].events[0].timestamp`,
      'ISO time',
    ],
    [
      'a time before 1970',
      [withEvent({ timestamp: '1969-12-31T23:59:59Z', message: 'x' })],
      `${AT}[0].streams[0].events[0].timestamp`,
      'after 1970',
    ],
    [
      'a numeric message',
      [withEvent({ timestamp: '2026-03-01T00:00:00Z', message: 7 })],
      `${AT}[0].streams[0].events[0].message`,
      'string or a JSON object',
    ],
    [
      'a list message',
      [withEvent({ timestamp: '2026-03-01T00:00:00Z', message: [] })],
      `${AT}[0].streams[0].events[0].message`,
      'string or a JSON object',
    ],
    [
      'an empty message',
      [withEvent({ timestamp: '2026-03-01T00:00:00Z', message: '' })],
      `${AT}[0].streams[0].events[0].message`,
      'at least one character',
    ],
    [
      'a message over 1 MB',
      [withEvent({ timestamp: '2026-03-01T00:00:00Z', message: 'é'.repeat(524_289) })],
      `${AT}[0].streams[0].events[0].message`,
      '1 MB',
    ],
    [
      'an unknown event key',
      [withEvent({ timestamp: '2026-03-01T00:00:00Z', message: 'x', ingestionTime: 1 })],
      `${AT}[0].streams[0].events[0].ingestionTime`,
      'unknown key',
    ],
  ])('rejects %s, naming the path', (_case, value, path, problem) => {
    // Act
    let thrown: unknown;
    try {
      parseLogGroups(value, AT);
    } catch (error) {
      thrown = error;
    }

    // Assess
    expect(thrown).toBeInstanceOf(LogGroupsError);
    expect(thrown).toMatchObject({ path });
    expect((thrown as Error).message.startsWith(`${path}: `)).toBe(true);
    expect((thrown as Error).message).toContain(problem);
  });
});
