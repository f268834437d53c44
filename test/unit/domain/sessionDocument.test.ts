import { describe, expect, it } from 'vitest';
import {
  type AgentBool,
  parseSessionDocument,
  type Resolved,
  readAgentBool,
  resolveTemplate,
  type SessionDocument,
  type SessionParameters,
} from '../../../src/domain/sessionDocument.ts';

const doc = (parameters: SessionDocument['parameters'] = {}): SessionDocument => ({
  schemaVersion: '1.0',
  sessionType: 'Standard_Stream',
  inputs: {},
  parameters,
  properties: {},
});

describe('parseSessionDocument', () => {
  it('reads a preferences document given as GetDocument JSON text', () => {
    // Prepare
    const content = JSON.stringify({
      schemaVersion: '1.0',
      description: 'Document to hold regional settings for Session Manager',
      sessionType: 'Standard_Stream',
      inputs: {
        s3EncryptionEnabled: true,
        runAsEnabled: true,
        runAsDefaultUser: 'ec2-user',
        idleSessionTimeout: '20',
      },
    });

    // Act
    const parsed = parseSessionDocument(content);

    // Assess
    expect(parsed).toEqual({
      known: true,
      value: {
        schemaVersion: '1.0',
        sessionType: 'Standard_Stream',
        inputs: {
          s3EncryptionEnabled: true,
          runAsEnabled: true,
          runAsDefaultUser: 'ec2-user',
          idleSessionTimeout: '20',
        },
        parameters: {},
        properties: {},
      },
    });
  });

  it('reads an already parsed command document with parameter defaults and properties', () => {
    // Prepare
    const content = {
      schemaVersion: '1.0',
      sessionType: 'InteractiveCommands',
      parameters: {
        logpath: { type: 'String', default: '/var/log/amazon/ssm/amazon-ssm-agent.log' },
        lines: { type: 'String' },
      },
      properties: { linux: { commands: 'tail -f {{ logpath }}', runAsElevated: true } },
    };

    // Act
    const parsed = parseSessionDocument(content);

    // Assess
    expect(parsed.known && parsed.value.parameters).toEqual({
      logpath: { default: '/var/log/amazon/ssm/amazon-ssm-agent.log' },
      lines: {},
    });
    expect(parsed.known && parsed.value.properties).toEqual({
      linux: { commands: 'tail -f {{ logpath }}', runAsElevated: true },
    });
    expect(parsed.known && parsed.value.sessionType).toBe('InteractiveCommands');
  });

  it.each<{ name: string; content: unknown; reason: RegExp }>([
    { name: 'text that is not JSON', content: '{"sessionType": ', reason: /not valid JSON/ },
    { name: 'YAML text', content: 'sessionType: Standard_Stream', reason: /not valid JSON/ },
    { name: 'a JSON array', content: '[]', reason: /not a JSON object/ },
    { name: 'null', content: null, reason: /not a JSON object/ },
    { name: 'a number', content: 7, reason: /not a JSON object/ },
    {
      name: 'no sessionType (a Command document)',
      content: { schemaVersion: '2.2', mainSteps: [] },
      reason: /no sessionType/,
    },
    {
      name: 'an unknown sessionType',
      content: { sessionType: 'Shell' },
      reason: /unknown sessionType "Shell"/,
    },
    { name: 'a non-string sessionType', content: { sessionType: 3 }, reason: /unknown sessionType 3/ },
    {
      name: 'inputs that are a string',
      content: { sessionType: 'Standard_Stream', inputs: 'x' },
      reason: /inputs/,
    },
    {
      name: 'inputs that are an array',
      content: { sessionType: 'Standard_Stream', inputs: [] },
      reason: /inputs/,
    },
    {
      name: 'properties that are a number',
      content: { sessionType: 'Port', properties: 1 },
      reason: /properties/,
    },
    {
      name: 'parameters that are a list',
      content: { sessionType: 'Port', parameters: ['a'] },
      reason: /parameters/,
    },
    {
      name: 'a parameter that is not an object',
      content: { sessionType: 'Port', parameters: { user: 'alice' } },
      reason: /parameter "user"/,
    },
  ])('is unknown for $name', ({ content, reason }) => {
    // Act
    const parsed = parseSessionDocument(content);

    // Assess
    expect(parsed.known).toBe(false);
    expect(parsed.known ? '' : parsed.reason).toMatch(reason);
  });

  it('keeps a "__proto__" input as plain data, never as a prototype', () => {
    // Prepare
    const content = '{"sessionType":"Standard_Stream","inputs":{"__proto__":{"runAsEnabled":true}}}';

    // Act
    const parsed = parseSessionDocument(content);

    // Assess
    expect(parsed.known).toBe(true);
    const inputs = parsed.known ? parsed.value.inputs : {};
    expect(Object.hasOwn(inputs, 'runAsEnabled')).toBe(false);
    expect(Object.getPrototypeOf(inputs)).toBe(Object.prototype);
  });

  it('defaults missing inputs, parameters and properties to empty objects and a missing schemaVersion to ""', () => {
    // Act
    const parsed = parseSessionDocument({ sessionType: 'Port', inputs: null });

    // Assess
    expect(parsed).toEqual({
      known: true,
      value: { schemaVersion: '', sessionType: 'Port', inputs: {}, parameters: {}, properties: {} },
    });
  });
});

describe('readAgentBool (the agent ConvertToBool)', () => {
  it.each<[string, unknown, AgentBool]>([
    ['missing', undefined, { kind: 'bool', value: false }],
    ['null', null, { kind: 'bool', value: false }],
    ['boolean true', true, { kind: 'bool', value: true }],
    ['boolean false', false, { kind: 'bool', value: false }],
    ['""', '', { kind: 'bool', value: false }],
    ['"1"', '1', { kind: 'bool', value: true }],
    ['"t"', 't', { kind: 'bool', value: true }],
    ['"T"', 'T', { kind: 'bool', value: true }],
    ['"TRUE"', 'TRUE', { kind: 'bool', value: true }],
    ['"true"', 'true', { kind: 'bool', value: true }],
    ['"True"', 'True', { kind: 'bool', value: true }],
    ['"0"', '0', { kind: 'bool', value: false }],
    ['"f"', 'f', { kind: 'bool', value: false }],
    ['"F"', 'F', { kind: 'bool', value: false }],
    ['"FALSE"', 'FALSE', { kind: 'bool', value: false }],
    ['"false"', 'false', { kind: 'bool', value: false }],
    ['"False"', 'False', { kind: 'bool', value: false }],
    ['"yes"', 'yes', { kind: 'invalid', raw: 'yes' }],
    ['" true" (leading space)', ' true', { kind: 'invalid', raw: ' true' }],
    ['"true " (trailing space)', 'true ', { kind: 'invalid', raw: 'true ' }],
    ['"tRUE"', 'tRUE', { kind: 'invalid', raw: 'tRUE' }],
    ['"on"', 'on', { kind: 'invalid', raw: 'on' }],
    ['number 1', 1, { kind: 'invalid', raw: '1' }],
    ['number 0', 0, { kind: 'invalid', raw: '0' }],
    ['an object', { value: true }, { kind: 'invalid', raw: '{"value":true}' }],
    ['a list', ['true'], { kind: 'invalid', raw: '["true"]' }],
    ['a BigInt', 1n, { kind: 'invalid', raw: '1' }],
  ])('reads %s', (_name, raw, expected) => {
    // Act
    const read = readAgentBool(raw);

    // Assess
    expect(read).toEqual(expected);
  });
});

describe('resolveTemplate', () => {
  const withDefaults = doc({
    user: { default: 'bob' },
    enabled: { default: true },
    count: { default: 3 },
    nodefault: {},
    nulldefault: { default: null },
    chained: { default: '{{ssm:/runas/user}}' },
  });

  it.each<[string, string, SessionParameters, Resolved]>([
    ['a literal', 'ec2-user', {}, { kind: 'value', value: 'ec2-user' }],
    [
      '{{user}} from StartSession parameters',
      '{{user}}',
      { user: ['alice'] },
      { kind: 'value', value: 'alice' },
    ],
    [
      '{{ user }} with spaces inside the braces',
      '{{ user }}',
      { user: ['alice'] },
      { kind: 'value', value: 'alice' },
    ],
    ['{{\tuser\t}} with tabs', '{{\tuser\t}}', { user: ['alice'] }, { kind: 'value', value: 'alice' }],
    [
      'the first of several values',
      '{{user}}',
      { user: ['alice', 'carol'] },
      { kind: 'value', value: 'alice' },
    ],
    ['{{user}} from the document default', '{{ user }}', {}, { kind: 'value', value: 'bob' }],
    [
      'an empty parameter list falls back to the default',
      '{{user}}',
      { user: [] },
      { kind: 'value', value: 'bob' },
    ],
    ['a boolean default, stringified', '{{enabled}}', {}, { kind: 'value', value: 'true' }],
    ['a number default, stringified', '{{count}}', {}, { kind: 'value', value: '3' }],
    ['every occurrence', '{{user}}-{{ user }}', { user: ['a'] }, { kind: 'value', value: 'a-a' }],
    ['text around a reference', 'app-{{user}}', {}, { kind: 'value', value: 'app-bob' }],
    ['a "$&" value taken literally', '{{user}}', { user: ['$&x'] }, { kind: 'value', value: '$&x' }],
    ['{{ssm:/path}}', '{{ssm:/runas/user}}', {}, { kind: 'ssm-parameter', name: '/runas/user' }],
    ['{{ ssm:name }} with spaces', '{{ ssm:runas-user }}', {}, { kind: 'ssm-parameter', name: 'runas-user' }],
    [
      'a versioned {{ssm:name:3}}',
      '{{ssm:runas.user:3}}',
      {},
      { kind: 'ssm-parameter', name: 'runas.user:3' },
    ],
    [
      'a parameter whose value is {{ssm:…}}',
      '{{chained}}',
      {},
      { kind: 'ssm-parameter', name: '/runas/user' },
    ],
    [
      'a StartSession value that is {{ssm:…}}',
      '{{user}}',
      { user: ['{{ssm:/u}}'] },
      { kind: 'ssm-parameter', name: '/u' },
    ],
    ['an undeclared {{name}}', '{{ who }}', {}, { kind: 'unresolved', name: 'who' }],
    ['a declared parameter without default', '{{nodefault}}', {}, { kind: 'unresolved', name: 'nodefault' }],
    ['a null default', '{{nulldefault}}', {}, { kind: 'unresolved', name: 'nulldefault' }],
    ['a name on Object.prototype', '{{constructor}}', {}, { kind: 'unresolved', name: 'constructor' }],
    ['{{a-b}} is not a parameter name for the agent', '{{a-b}}', {}, { kind: 'value', value: '{{a-b}}' }],
  ])('resolves %s', (_name, value, params, expected) => {
    // Act
    const resolved = resolveTemplate(value, params, withDefaults);

    // Assess
    expect(resolved).toEqual(expected);
  });
});
