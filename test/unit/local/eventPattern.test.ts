import { describe, expect, it } from 'vitest';
import {
  InvalidPatternError,
  matchesPattern,
  UnsupportedPatternError,
} from '../../../src/local/tools/eventPattern.ts';

const event = {
  source: 'aws.ssm',
  'detail-type': 'AWS API Call via CloudTrail',
  account: '111122223333',
  resources: [],
  detail: {
    eventSource: 'ssm.amazonaws.com',
    eventName: 'StartSession',
    readOnly: false,
    errorCode: null,
    count: 3,
    requestParameters: { target: 'i-0123456789abcdef0', documentName: 'SSM-SessionManagerRunShell' },
    tags: ['prod', 'Linux'],
    items: [
      { key: 'SSMSessionRunAs', value: 'alice' },
      { key: 'team', value: 'ops' },
    ],
  },
};

describe('matchesPattern', () => {
  it.each([
    ['exact string', { source: ['aws.ssm'] }, true],
    ['exact string, other value', { source: ['aws.ec2'] }, false],
    ['list is OR', { source: ['aws.ec2', 'aws.ssm'] }, true],
    ['keys are AND', { source: ['aws.ssm'], 'detail-type': ['AWS Service Event via CloudTrail'] }, false],
    ['nested object', { detail: { eventName: ['StartSession'], eventSource: ['ssm.amazonaws.com'] } }, true],
    [
      'nested object, one key off',
      { detail: { eventName: ['StartSession'], eventSource: ['ec2.amazonaws.com'] } },
      false,
    ],
    ['deeper nesting', { detail: { requestParameters: { target: ['i-0123456789abcdef0'] } } }, true],
    ['missing field never equals a value', { detail: { nothing: ['x'] } }, false],
    ['missing parent object', { nothing: { deeper: ['x'] } }, false],
    ['boolean', { detail: { readOnly: [false] } }, true],
    ['boolean is not its string', { detail: { readOnly: ['false'] } }, false],
    ['number', { detail: { count: [3] } }, true],
    ['number is not its string', { detail: { count: ['3'] } }, false],
    ['null', { detail: { errorCode: [null] } }, true],
    ['string case matters', { source: ['AWS.SSM'] }, false],
    ['array in event: any element', { detail: { tags: ['Linux'] } }, true],
    ['array in event: no element', { detail: { tags: ['Windows'] } }, false],
    ['array of objects: field of any element', { detail: { items: { value: ['ops'] } } }, true],
    ['array of objects: no element has it', { detail: { items: { value: ['bob'] } } }, false],
    ['object value is not a leaf', { detail: { requestParameters: ['x'] } }, false],
    ['prefix', { detail: { eventName: [{ prefix: 'Start' }] } }, true],
    ['prefix, no match', { detail: { eventName: [{ prefix: 'Terminate' }] } }, false],
    ['prefix on a number never matches', { detail: { count: [{ prefix: '3' }] } }, false],
    ['prefix on array elements', { detail: { tags: [{ prefix: 'Lin' }] } }, true],
    ['anything-but value', { detail: { eventName: [{ 'anything-but': 'TerminateSession' }] } }, true],
    ['anything-but the value itself', { detail: { eventName: [{ 'anything-but': 'StartSession' }] } }, false],
    [
      'anything-but list',
      { detail: { eventName: [{ 'anything-but': ['ResumeSession', 'StartSession'] }] } },
      false,
    ],
    [
      'anything-but list, not in it',
      { detail: { eventName: [{ 'anything-but': ['ResumeSession'] }] } },
      true,
    ],
    ['anything-but prefix', { detail: { eventName: [{ 'anything-but': { prefix: 'Get' } }] } }, true],
    [
      'anything-but prefix, has it',
      { detail: { eventName: [{ 'anything-but': { prefix: 'Start' } }] } },
      false,
    ],
    ['anything-but needs the field', { detail: { nothing: [{ 'anything-but': 'x' }] } }, false],
    ['anything-but number', { detail: { count: [{ 'anything-but': 4 }] } }, true],
    ['exists true', { detail: { eventName: [{ exists: true }] } }, true],
    ['exists true, absent', { detail: { errorMessage: [{ exists: true }] } }, false],
    ['exists false, absent', { detail: { errorMessage: [{ exists: false }] } }, true],
    ['exists false, present', { detail: { eventName: [{ exists: false }] } }, false],
    ['exists true on null', { detail: { errorCode: [{ exists: true }] } }, true],
    ['exists true on an object is not a leaf', { detail: { requestParameters: [{ exists: true }] } }, false],
    ['exists false under a missing parent', { nothing: { deeper: [{ exists: false }] } }, true],
    ['exists true on an empty array', { resources: [{ exists: true }] }, false],
    ['equals-ignore-case', { source: [{ 'equals-ignore-case': 'AWS.SSM' }] }, true],
    ['equals-ignore-case, other value', { source: [{ 'equals-ignore-case': 'AWS.EC2' }] }, false],
    ['operators OR with values', { detail: { eventName: ['ResumeSession', { prefix: 'Start' }] } }, true],
  ])('%s', (_name, pattern, expected) => {
    // Act
    const matched = matchesPattern(pattern, event);

    // Assess
    expect(matched).toBe(expected);
  });

  it.each([
    ['suffix', { source: [{ suffix: '.ssm' }] }],
    ['wildcard', { source: [{ wildcard: 'aws.*' }] }],
    ['numeric', { detail: { count: [{ numeric: ['>', 1] }] } }],
    ['cidr', { detail: { sourceIPAddress: [{ cidr: '203.0.113.0/24' }] } }],
    ['$or', { $or: [{ source: ['aws.ssm'] }, { source: ['aws.ec2'] }] }],
    ['prefix with equals-ignore-case', { source: [{ prefix: { 'equals-ignore-case': 'AWS' } }] }],
    ['anything-but suffix', { source: [{ 'anything-but': { suffix: '.ec2' } }] }],
    ['an unknown operator', { source: [{ 'starts-with': 'aws' }] }],
  ])('throws for the unsupported %s instead of guessing', (_name, pattern) => {
    // Act
    const attempt = () => matchesPattern(pattern, event);

    // Assess
    expect(attempt).toThrow(UnsupportedPatternError);
  });

  it('names the unsupported operator and where it is', () => {
    // Act
    const attempt = () => matchesPattern({ detail: { eventName: [{ suffix: 'Session' }] } }, event);

    // Assess
    expect(attempt).toThrow(/detail\.eventName: operator "suffix"/);
  });

  it('throws for an unsupported operator even when the event lacks the field', () => {
    // Act
    const attempt = () =>
      matchesPattern({ source: ['aws.ec2'], detail: { nothing: [{ suffix: 'x' }] } }, event);

    // Assess
    expect(attempt).toThrow(UnsupportedPatternError);
  });

  it.each([
    ['not an object', ['aws.ssm']],
    ['null', null],
    ['empty object', {}],
    ['empty value list', { source: [] }],
    ['a bare value instead of a list', { source: 'aws.ssm' }],
    ['a nested list', { source: [['aws.ssm']] }],
    ['an operator object with two keys', { source: [{ prefix: 'aws', exists: true }] }],
    ['exists with a string', { source: [{ exists: 'yes' }] }],
  ])('rejects an invalid pattern: %s', (_name, pattern) => {
    // Act
    const attempt = () => matchesPattern(pattern, event);

    // Assess
    expect(attempt).toThrow(InvalidPatternError);
  });

  it.each([
    ['null', null],
    ['a string', 'aws.ssm'],
    ['an array', [event]],
  ])('does not match an event that is %s', (_name, hostile) => {
    // Act
    const matched = matchesPattern({ source: ['aws.ssm'] }, hostile);

    // Assess
    expect(matched).toBe(false);
  });

  it('does not match a key inherited from the prototype', () => {
    // Act
    const matched = matchesPattern({ constructor: [{ exists: true }] }, {});

    // Assess
    expect(matched).toBe(false);
  });
});
