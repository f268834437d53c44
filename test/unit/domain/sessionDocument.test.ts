import { describe, expect, it } from 'vitest';
import { agentBool } from '../../../src/domain/inputs.ts';
import { goField, hasGoField } from '../../../src/domain/json.ts';
import { parseSessionDocument } from '../../../src/domain/sessionDocument.ts';
import { parameterContext, substitute } from '../../../src/domain/templates.ts';

describe('parseSessionDocument', () => {
  it('reads GetDocument JSON text', () => {
    // Prepare
    const content = JSON.stringify({
      schemaVersion: '1.0',
      sessionType: 'Standard_Stream',
      inputs: { runAsEnabled: true },
    });

    // Act
    const parsed = parseSessionDocument(content);

    // Assess
    expect(parsed).toEqual({
      known: true,
      value: {
        schemaVersion: '1.0',
        sessionType: 'Standard_Stream',
        inputs: { runAsEnabled: true },
        parameters: undefined,
        properties: undefined,
      },
    });
  });

  it('matches keys the way Go decodes them: case-insensitively, the last match winning', () => {
    // Act
    const parsed = parseSessionDocument({
      SchemaVersion: '1.0',
      SESSIONTYPE: 'Port',
      Properties: { portNumber: '22' },
    });

    // Assess
    expect(parsed).toMatchObject({
      known: true,
      value: { schemaVersion: '1.0', sessionType: 'Port', properties: { portNumber: '22' } },
    });
    // Each key that folds onto the field overwrites it: the last one wins, exact spelling or not.
    expect(goField({ runAsEnabled: false, RunAsEnabled: true }, 'runAsEnabled')).toBe(true);
    expect(goField({ RUNASENABLED: 'a', RunAsEnabled: 'b' }, 'runAsEnabled')).toBe('b');
    // Go folds non-ASCII runes with ToUpper(ToLower(r)): four of them land on ASCII letters.
    expect(goField({ '\u212aey': 1 }, 'key')).toBe(1);
    expect(goField({ '\u0130d': 2 }, 'id')).toBe(2);
    expect(goField({ '\u0131d': 3 }, 'id')).toBe(3);
    expect(goField({ '\u00edd': 4 }, 'id')).toBeUndefined();
    expect(hasGoField({ runA\u017fEnabled: true }, 'runAsEnabled')).toBe(true);
    expect(hasGoField({ constructor: 1 }, 'runAsEnabled')).toBe(false);
  });

  it.each<[string, unknown, RegExp]>([
    ['not JSON', '{', /not valid JSON/],
    ['not an object', '[]', /not a JSON object/],
    ['no sessionType', { schemaVersion: '1.0' }, /no sessionType/],
    ['an unknown sessionType', { sessionType: 'Shell' }, /unknown sessionType "Shell"/],
  ])('says why content is %s', (_name, content, reason) => {
    // Act
    const parsed = parseSessionDocument(content);

    // Assess
    expect(parsed.known).toBe(false);
    if (!parsed.known) expect(parsed.reason).toMatch(reason);
  });
});

describe('agentBool (the agent ConvertToBool)', () => {
  it.each<[unknown, boolean | undefined]>([
    [undefined, false],
    [null, false],
    [true, true],
    [false, false],
    ['', false],
    ...['1', 't', 'T', 'TRUE', 'true', 'True'].map((value): [string, boolean] => [value, true]),
    ...['0', 'f', 'F', 'FALSE', 'false', 'False'].map((value): [string, boolean] => [value, false]),
    ['yes', undefined],
    ['tRuE', undefined],
    [' true', undefined],
    [1, undefined],
    [[true], undefined],
  ])('%j → %s', (raw, expected) => {
    // Act + Assess
    expect(agentBool(raw)).toBe(expected);
  });
});

describe('substitute ({{ name }} as the agent replaces it)', () => {
  const declared = {
    user: { type: 'String', default: 'ec2-user' },
    none: { type: 'String' },
    count: { type: 'String', default: 3 },
    list: { type: 'StringList' },
  };
  const session = parameterContext(declared, { user: ['bob'], list: ['a', 'b'] });
  const posture = parameterContext(declared, undefined);

  it.each<[string, unknown, ReturnType<typeof substitute>]>([
    ['a StartSession value', '{{ user }}', { kind: 'value', value: 'bob' }],
    ['a whole value keeps its JSON type', '{{count}}', { kind: 'value', value: 3 }],
    ['a StringList is a list', '{{list}}', { kind: 'value', value: ['a', 'b'] }],
    ['a parameter with neither value nor default is null', '{{none}}', { kind: 'value', value: null }],
    ['inside text, null reads "null"', 'u-{{none}}', { kind: 'value', value: 'u-null' }],
    ['inside text, a number reads as JSON', 'n{{count}}', { kind: 'value', value: 'n3' }],
    ['any blanks inside the braces', '{{\t user \n}}', { kind: 'value', value: 'bob' }],
    ['an undeclared parameter stays as written', '{{other}}', { kind: 'value', value: '{{other}}' }],
    ['a Parameter Store reference', '{{ ssm:/runas/user }}', { kind: 'ssm', parameter: '/runas/user' }],
    ['a Parameter Store reference inside a list', ['x', '{{ssm:/p}}'], { kind: 'ssm', parameter: '/p' }],
    ['a non-string value as it is', true, { kind: 'value', value: true }],
  ])('%s', (_name, value, expected) => {
    // Act + Assess
    expect(substitute(value, session)).toEqual(expected);
  });

  it('substitutes in one pass and collapses $$ in embedded values', () => {
    // Prepare
    const context = parameterContext(
      { a: { default: '{{b}}' }, b: { default: 'x' }, c: { default: 'p$$q' } },
      {},
    );

    // Act + Assess
    expect(substitute('{{a}}-{{b}}', context)).toEqual({ kind: 'value', value: '{{b}}-x' });
    expect(substitute('v{{c}}', context)).toEqual({ kind: 'value', value: 'vp$q' });
  });

  it('without StartSession parameters, a parameter without a default is unset', () => {
    // Act + Assess
    expect(substitute('{{none}}', posture)).toEqual({ kind: 'unset', parameter: 'none' });
    expect(substitute('x{{none}}', posture)).toEqual({ kind: 'unset', parameter: 'none' });
    expect(substitute('{{user}}', posture)).toEqual({ kind: 'value', value: 'ec2-user' });
  });

  it('a parameter named __proto__ is not a declaration (the agent allows letters and digits only)', () => {
    // Act
    const context = parameterContext(
      JSON.parse('{"__proto__": {"default": "x"}, "ok": {"default": "y"}}'),
      {},
    );

    // Assess
    expect([...context.values.keys()]).toEqual(['ok']);
  });
});
