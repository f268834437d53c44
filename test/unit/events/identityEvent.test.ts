import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MalformedEventError } from '../../../src/errors.ts';
import { parseIdentityEvent } from '../../../src/events/identityEvent.ts';
import { iamEvent } from './changeEvents.ts';

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../../../events/${name}`, import.meta.url), 'utf8'));

describe('parseIdentityEvent', () => {
  it('reads an STS record with session tags as a record to keep', () => {
    // Act
    const intake = parseIdentityEvent(fixture('sts-assumerolewithsaml-identity-center-eu-west-1.json'));

    // Assess
    expect(intake).toMatchObject({
      inScope: true,
      command: {
        kind: 'sts-record',
        record: { recordedIn: 'eu-west-1', tags: { SSMSessionRunAs: 'henry' } },
      },
    });
  });

  it('reads an IAM change of SSMSessionRunAs as a change to keep, with its value after', () => {
    // Act
    const intake = parseIdentityEvent(
      iamEvent('TagRole', { roleName: 'Operators', tags: [{ key: 'SSMSessionRunAs', value: 'root' }] }),
    );

    // Assess
    expect(intake).toMatchObject({
      inScope: true,
      command: { kind: 'tag-change', change: { eventName: 'TagRole', runAsValue: 'root' } },
    });
  });

  it.each([
    [
      'an IAM change of other tags',
      iamEvent('TagRole', { roleName: 'Operators', tags: [{ key: 'a', value: 'b' }] }),
    ],
    ['an untagged AssumeRole', fixture('sts-assumerole-untagged.json')],
    ['a failed AssumeRole', fixture('sts-assumerole-tags-access-denied.json')],
  ])('leaves %s out of scope', (_name, event) => {
    // Act
    const intake = parseIdentityEvent(event);

    // Assess
    expect(intake.inScope).toBe(false);
  });

  it('throws for a malformed record, naming the field', () => {
    // Prepare
    const event = fixture('sts-assumerole-sessiontags-transitive.json') as {
      detail: Record<string, unknown>;
    };

    // Act
    const act = () => parseIdentityEvent({ ...event, detail: { ...event.detail, eventTime: 'yesterday' } });

    // Assess
    expect(act).toThrow(MalformedEventError);
    expect(act).toThrow('detail.eventTime');
  });
});
