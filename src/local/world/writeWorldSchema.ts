/**
 * `npm run world-schema`: writes world.schema.json beside this file from the world's schema, so
 * the published JSON Schema never drifts from what parseWorld accepts (a test compares them). The
 * file is then formatted as the repository's other JSON is.
 */
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { worldJsonSchema } from './worldSchema.ts';

const file = fileURLToPath(new URL('./world.schema.json', import.meta.url));
await writeFile(file, `${JSON.stringify(worldJsonSchema(), null, 2)}\n`);
execFileSync('npx', ['biome', 'format', '--write', file], { stdio: 'inherit' });
console.log(`wrote ${file}`);
