/** Where the project's bundled files are, whatever the working directory. */
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const DEMO_WORLD = path.join(ROOT, 'src/local/world/demo-world.json');
export const EVENTS_DIR = path.join(ROOT, 'events');
