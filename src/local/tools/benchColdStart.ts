/**
 * The cold start proxy: each function bundled as `sam build` would, and the time a fresh Node
 * process takes to import it, against the same code with its packages imported unbundled.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { BenchError, type FunctionFigures, IMPORT_RUNS, median } from './benchStats.ts';
import { bundleFunction, esbuildOptionsFor } from './build.ts';
import type { FunctionSpec } from './template.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');

const IMPORT_SCRIPT = [
  'const t0 = performance.now();',
  'await import(process.argv[1]);',
  "process.stdout.write('BENCH_IMPORT_MS=' + (performance.now() - t0) + '\\n');",
].join('\n');

const IMPORT_TIMEOUT_MS = 60_000;

/** Imports a module in a fresh node process and returns the elapsed ms it measured inside. */
export const timeImport = (file: string): Promise<number> =>
  new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--input-type=module', '-e', IMPORT_SCRIPT, pathToFileURL(file).href],
      {
        // Only what the handler's cold start needs: config is loaded at import (the sweep needs its table).
        env: { PATH: process.env.PATH ?? '', AWS_REGION: 'us-east-1', STATE_TABLE_NAME: 'StateTable' },
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: IMPORT_TIMEOUT_MS,
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.on('error', (cause) => reject(new BenchError(`cannot start ${process.execPath}`, { cause })));
    child.on('close', (code, signal) => {
      const ms = Number(/BENCH_IMPORT_MS=([\d.]+)/.exec(stdout)?.[1]);
      if (code !== 0 || !Number.isFinite(ms)) {
        reject(
          new BenchError(
            `importing ${file} failed (exit ${code ?? signal}): ${stderr.trim().split('\n').slice(-5).join(' | ')}`,
          ),
        );
        return;
      }
      resolve(ms);
    });
  });

/** Our code bundled, every package imported from node_modules at run time: the unbundled baseline. */
const buildUnbundled = async (fn: FunctionSpec, outdir: string): Promise<string> => {
  const result = await build({ ...esbuildOptionsFor(fn, { outdir }), packages: 'external' });
  const moduleName = fn.handler.slice(0, fn.handler.indexOf('.'));
  const output = Object.entries(result.metafile?.outputs ?? {}).find(
    ([file, meta]) => meta.entryPoint !== undefined && path.parse(file).name === moduleName,
  );
  if (output === undefined)
    throw new BenchError(`${fn.logicalId}: the unbundled build has no ${moduleName} module`);
  return path.resolve(fn.codeDir, output[0]);
};

export const measureFunction = async (fn: FunctionSpec, runs = IMPORT_RUNS): Promise<FunctionFigures> => {
  const bundled = await bundleFunction(fn);
  // Inside the repository so that bare imports resolve from its node_modules.
  const unbundledDir = await mkdtemp(path.join(ROOT, '.bench-unbundled-'));
  try {
    const unbundled = await buildUnbundled(fn, unbundledDir);
    // One discarded import each: both then start from a warm file system cache.
    await timeImport(bundled.outfile);
    await timeImport(unbundled);
    const bundledMs: number[] = [];
    const unbundledMs: number[] = [];
    // Interleaved, so drift in machine load affects both alike.
    for (let i = 0; i < runs; i++) {
      bundledMs.push(await timeImport(bundled.outfile));
      unbundledMs.push(await timeImport(unbundled));
    }
    return {
      logicalId: fn.logicalId,
      bundleBytes: bundled.bytes,
      importMsBundled: median(bundledMs),
      importMsUnbundled: median(unbundledMs),
    };
  } finally {
    await rm(bundled.outdir, { recursive: true, force: true });
    await rm(unbundledDir, { recursive: true, force: true });
  }
};

export interface TracerFigures {
  readonly logicalId: string;
  readonly bundleBytes: number;
  readonly bundleBytesWithTracer: number;
  readonly importMs: number;
  readonly importMsWithTracer: number;
}

/**
 * What Powertools Tracer would add to a function's cold start: the same bundle with the Tracer
 * imported and constructed at module load (as a traced handler does), timed against the bundle as
 * it is, in interleaved fresh processes.
 */
export const measureTracerCost = async (fn: FunctionSpec, runs = IMPORT_RUNS): Promise<TracerFigures> => {
  const bundled = await bundleFunction(fn);
  const dir = await mkdtemp(path.join(ROOT, '.bench-tracer-'));
  try {
    const moduleName = fn.handler.slice(0, fn.handler.indexOf('.'));
    const [entry] = fn.entryPoints;
    if (entry === undefined) throw new BenchError(`${fn.logicalId}: no entry point`);
    const wrapper = path.join(dir, `${moduleName}.ts`);
    await writeFile(
      wrapper,
      [
        "import { Tracer } from '@aws-lambda-powertools/tracer';",
        `export * from ${JSON.stringify(path.resolve(fn.codeDir, entry))};`,
        "export const tracer = new Tracer({ serviceName: 'ssm-runas-auditor' });",
      ].join('\n'),
    );
    const traced = await bundleFunction(
      { ...fn, entryPoints: [path.relative(fn.codeDir, wrapper)] },
      {
        outdir: path.join(dir, 'out'),
      },
    );
    await timeImport(bundled.outfile);
    await timeImport(traced.outfile);
    const plainMs: number[] = [];
    const tracedMs: number[] = [];
    for (let i = 0; i < runs; i++) {
      plainMs.push(await timeImport(bundled.outfile));
      tracedMs.push(await timeImport(traced.outfile));
    }
    return {
      logicalId: fn.logicalId,
      bundleBytes: bundled.bytes,
      bundleBytesWithTracer: traced.bytes,
      importMs: median(plainMs),
      importMsWithTracer: median(tracedMs),
    };
  } finally {
    await rm(bundled.outdir, { recursive: true, force: true });
    await rm(dir, { recursive: true, force: true });
  }
};
