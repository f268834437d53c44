/**
 * `sam build` for one function: esbuild driven by the function's Metadata.BuildProperties,
 * with SAM's defaults where a property is absent, so the local bundle is the one SAM deploys.
 */
import { mkdtemp, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type BuildOptions, build, type Format, type Loader, type Metafile } from 'esbuild';
import { InputError } from './inputError.ts';
import type { FunctionSpec } from './template.ts';

/** A function's build Metadata is not one `sam build` (esbuild) can follow, or esbuild failed on its code. */
export class BuildError extends InputError {
  override readonly name = 'BuildError';
  constructor(problem: string, options: { readonly cause?: unknown } = {}) {
    super('', problem, options);
  }
}

export interface BundleOptions {
  /** Where to write the bundle; a fresh temporary folder otherwise (the caller removes it). */
  readonly outdir?: string;
  /** Overrides BuildProperties.Minify. */
  readonly minify?: boolean;
}

export interface BundleResult {
  readonly outdir: string;
  /** The bundled module that holds the handler (`<outdir>/<module>.mjs` for `<module>.<export>`). */
  readonly outfile: string;
  readonly bytes: number;
  readonly metafile: Metafile;
}

/** BuildProperties keys understood here; anything else fails rather than being silently ignored. */
const KNOWN = new Set([
  'EntryPoints',
  'External',
  'Format',
  'Loader',
  'MainFields',
  'Minify',
  'OutExtension',
  'Sourcemap',
  'SourcesContent',
  'Target',
  'Banner',
  'Footer',
  'UseNpmCi',
]);

const list = (value: unknown, key: string): string[] => {
  if (value === undefined) return [];
  const items = Array.isArray(value) ? value : [value];
  return items.map((item) => {
    if (typeof item !== 'string') throw new BuildError(`BuildProperties.${key} must hold strings`);
    return item;
  });
};

/** `['.js=.mjs']` → `{ '.js': '.mjs' }` (SAM's `key=value` list form). */
const pairs = (value: unknown, key: string): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const item of list(value, key)) {
    const at = item.indexOf('=');
    if (at <= 0)
      throw new BuildError(`BuildProperties.${key} entries look like key=value, got ${JSON.stringify(item)}`);
    out[item.slice(0, at)] = item.slice(at + 1);
  }
  return out;
};

const flag = (value: unknown, key: string, fallback: boolean): boolean => {
  if (value === undefined) return fallback;
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  throw new BuildError(`BuildProperties.${key} must be true or false`);
};

const FORMATS = new Set<Format>(['esm', 'cjs', 'iife']);

/** The esbuild options SAM would use for this function. */
export const esbuildOptionsFor = (
  fn: FunctionSpec,
  options: BundleOptions & { outdir: string },
): BuildOptions => {
  const props = fn.buildProperties;
  for (const key of Object.keys(props)) {
    if (!KNOWN.has(key))
      throw new BuildError(`${fn.logicalId}: BuildProperties.${key} is not supported locally`);
  }
  const format = props.Format ?? 'cjs';
  if (typeof format !== 'string' || !FORMATS.has(format as Format)) {
    throw new BuildError(`${fn.logicalId}: BuildProperties.Format must be esm, cjs or iife`);
  }
  const target = props.Target ?? 'es2020';
  if (typeof target !== 'string')
    throw new BuildError(`${fn.logicalId}: BuildProperties.Target must be a string`);
  const mainFields = props.MainFields ?? 'main,module';
  if (typeof mainFields !== 'string')
    throw new BuildError(`${fn.logicalId}: BuildProperties.MainFields is a comma list`);

  return {
    absWorkingDir: fn.codeDir,
    entryPoints: fn.entryPoints.map((entry) => path.resolve(fn.codeDir, entry)),
    outdir: options.outdir,
    bundle: true,
    platform: 'node',
    format: format as Format,
    target,
    mainFields: mainFields.split(',').map((field) => field.trim()),
    // SAM's defaults: minified, no source map.
    minify: options.minify ?? flag(props.Minify, 'Minify', true),
    sourcemap: flag(props.Sourcemap, 'Sourcemap', false),
    ...(props.SourcesContent === undefined
      ? {}
      : { sourcesContent: flag(props.SourcesContent, 'SourcesContent', true) }),
    external: list(props.External, 'External'),
    loader: pairs(props.Loader, 'Loader') as Record<string, Loader>,
    outExtension: pairs(props.OutExtension, 'OutExtension'),
    banner: pairs(props.Banner, 'Banner'),
    footer: pairs(props.Footer, 'Footer'),
    metafile: true,
    write: true,
    logLevel: 'silent',
  };
};

/** Bundles the function as `sam build` would and returns the module that holds its handler. */
export const bundleFunction = async (
  fn: FunctionSpec,
  options: BundleOptions = {},
): Promise<BundleResult> => {
  if (fn.buildMethod !== undefined && fn.buildMethod !== 'esbuild') {
    throw new BuildError(
      `${fn.logicalId}: BuildMethod ${fn.buildMethod} is not supported locally (esbuild only)`,
    );
  }
  const outdir = options.outdir ?? (await mkdtemp(path.join(os.tmpdir(), `sam-build-${fn.logicalId}-`)));
  const esbuildOptions = esbuildOptionsFor(fn, { ...options, outdir });

  let metafile: Metafile;
  try {
    const result = await build(esbuildOptions);
    if (result.metafile === undefined) throw new BuildError(`${fn.logicalId}: esbuild returned no metafile`);
    metafile = result.metafile;
  } catch (cause) {
    if (cause instanceof BuildError) throw cause;
    const errors = (
      cause as { errors?: { text: string; location?: { file: string; line: number } | null }[] }
    ).errors;
    const detail = errors
      ?.map((e) => (e.location ? `${e.location.file}:${e.location.line}: ${e.text}` : e.text))
      .join('\n');
    throw new BuildError(`${fn.logicalId}: esbuild failed${detail ? `\n${detail}` : ''}`, { cause });
  }

  // Lambda loads `<module>` from the handler string: the bundle must contain `<module>.<ext>`.
  const moduleName = fn.handler.slice(0, fn.handler.indexOf('.'));
  const outputs = Object.entries(metafile.outputs).filter(([, output]) => output.entryPoint !== undefined);
  const match = outputs.find(([file]) => path.parse(file).name === moduleName);
  if (match === undefined) {
    throw new BuildError(
      `${fn.logicalId}: Handler ${fn.handler} needs a bundled ${moduleName}.js/.mjs, got ${outputs.map(([f]) => path.basename(f)).join(', ')}`,
    );
  }
  const outfile = path.resolve(fn.codeDir, match[0]);
  const { size } = await stat(outfile);
  return { outdir, outfile, bytes: size, metafile };
};
