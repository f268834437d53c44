import { afterEach, describe, expect, it, vi } from 'vitest';
import { reportError } from '../../../src/cli/main.ts';
import { InputFileError, UsageError } from '../../../src/local/tools/inputError.ts';

const spec = { name: 'replay', summary: '', usage: '', description: [], flags: [] };

const captured = (): { text: () => string } => {
  const writes: string[] = [];
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    writes.push(String(chunk));
    return true;
  });
  return { text: () => writes.join('') };
};

afterEach(() => {
  vi.restoreAllMocks();
});

describe('how the CLI reports an error', () => {
  it('prints a usage error as one line pointing at --help, exit 2', () => {
    // Prepare
    const stderr = captured();

    // Act
    const code = reportError(spec, new UsageError('', 'unknown flag --wrld'), false);

    // Assess
    expect(code).toBe(2);
    expect(stderr.text()).toBe('runas-audit replay: unknown flag --wrld (see runas-audit replay --help)\n');
  });

  it('prints an input error as one line naming the file, exit 2', () => {
    // Prepare
    const stderr = captured();

    // Act
    const code = reportError(spec, new InputFileError('w.json', 'is not JSON', { path: 'regions' }), false);

    // Assess
    expect(code).toBe(2);
    expect(stderr.text()).toBe('runas-audit replay: w.json: regions: is not JSON\n');
  });

  it('calls anything else an internal error, exit 1, one line unless --debug', () => {
    // Prepare
    const stderr = captured();
    const bug = new TypeError('x is undefined\nsecond line', { cause: new Error('root cause') });

    // Act
    const quiet = reportError(spec, bug, false);
    const quietText = stderr.text();
    const debug = reportError(spec, bug, true);

    // Assess
    expect(quiet).toBe(1);
    expect(debug).toBe(1);
    expect(quietText).toBe(
      'runas-audit replay: internal error: TypeError: x is undefined; second line (run with --debug for the stack trace)\n',
    );
    const debugText = stderr.text().slice(quietText.length);
    expect(debugText).toMatch(/^\s+at /m);
    expect(debugText).toContain('caused by:\nError: root cause');
  });
});
