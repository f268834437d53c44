import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTemplate, type Template } from '../../src/local/tools/template.ts';

const run = promisify(execFile);

interface Step {
  readonly name: string;
  readonly precondition: { readonly StringEquals: readonly string[] };
  readonly inputs: { readonly runCommand: readonly string[] };
}

let template: Template;
let root: string;

beforeAll(async () => {
  template = await loadTemplate(path.resolve(import.meta.dirname, '../../template.yaml'));
  root = await mkdtemp(path.join(tmpdir(), 'osusers-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const steps = (): Step[] => {
  type DocumentResource = { Properties: { Content: { mainSteps: Step[] } } };
  const resources = template.body.Resources as unknown as Record<string, DocumentResource>;
  const document = resources.OSUsersInventoryDocument;
  if (document === undefined) throw new Error('no OSUsersInventoryDocument');
  return document.Properties.Content.mainSteps;
};

/** Runs the Linux step as the agent would: parameters substituted, the node id in the environment. */
const publish = async (typeName: string): Promise<void> => {
  const script = steps()[0]?.inputs.runCommand.join('\n') ?? '';
  const local = script.replaceAll('{{ TypeName }}', typeName).replaceAll('/var/lib/amazon/ssm', root);
  await run('sh', ['-c', local], {
    env: { PATH: process.env.PATH ?? '', AWS_SSM_INSTANCE_ID: 'i-0123456789abcdef0' },
  });
};

describe('OS users inventory document', () => {
  it('runs the same script on Linux and macOS nodes only', () => {
    // Act
    const [linux, macos] = steps();
    // Assess
    expect(steps()).toHaveLength(2);
    expect(linux?.precondition).toEqual({ StringEquals: ['platformType', 'Linux'] });
    expect(macos?.precondition).toEqual({ StringEquals: ['platformType', 'MacOS'] });
    expect(macos?.inputs.runCommand).toEqual(linux?.inputs.runCommand);
  });

  it('writes the node users (getent passwd) as valid custom inventory JSON', async () => {
    // Act
    await publish('Custom:OSUsers');
    const dir = path.join(root, 'i-0123456789abcdef0/inventory/custom');
    const files = await readdir(dir);
    const inventory = JSON.parse(await readFile(path.join(dir, 'OSUsers.json'), 'utf8')) as {
      SchemaVersion: string;
      TypeName: string;
      Content: { Name: string; Uid: string; Gid: string }[];
    };
    const { stdout } = await run('getent', ['passwd']);
    const lines = stdout
      .trim()
      .split('\n')
      .map((line) => line.split(':'));
    const expected = lines.map((fields) => fields[0]);

    // Assess
    expect(files).toEqual(['OSUsers.json']);
    expect(inventory.SchemaVersion).toBe('1.0');
    expect(inventory.TypeName).toBe('Custom:OSUsers');
    expect(inventory.Content.map((entry) => entry.Name)).toEqual(expected);
    expect(inventory.Content.find((entry) => entry.Name === 'root')).toEqual({
      Name: 'root',
      Uid: '0',
      Gid: '0',
    });
    // Every entry carries the primary gid of its passwd line.
    expect(inventory.Content.map((entry) => entry.Gid)).toEqual(lines.map((fields) => fields[3]));
  });

  it('refuses a type name that is not a custom inventory type', async () => {
    await expect(publish('AWS:Application')).rejects.toThrow(/Custom:/);
  });
});
