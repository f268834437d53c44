/** The files the subcommands read, each turned into one-line errors that name the file. */

import { parseEnvVars } from '../local/tools/envVars.ts';
import { readJsonFile } from '../local/tools/eventInput.ts';
import { InputError } from '../local/tools/inputError.ts';
import { functionsOf } from '../local/tools/samFunctions.ts';
import { loadTemplate, type SamEnvVars, type Template } from '../local/tools/template.ts';
import { parseWorld, type World } from '../local/world/world.ts';
import { ROOT } from './paths.ts';

export const loadWorldFile = async (file: string): Promise<World> => {
  const json = await readJsonFile(file);
  try {
    return parseWorld(json);
  } catch (error) {
    // A world's errors name the JSON path of the offending value; the file is added here.
    if (error instanceof InputError) throw new InputError(error.path, error.problem, { file, cause: error });
    throw error;
  }
};

export const loadProjectTemplate = (): Promise<Template> => loadTemplate(`${ROOT}/template.yaml`);

/** SAM's `--env-vars` file, checked against the project's template. */
export const loadEnvVarsFile = async (file: string | undefined): Promise<SamEnvVars | undefined> => {
  if (file === undefined) return undefined;
  const json = await readJsonFile(file);
  const template = await loadProjectTemplate();
  return parseEnvVars(json, file, template, functionsOf(template));
};
