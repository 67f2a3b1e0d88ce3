import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The monorepo root (the folder holding nx.json), found from this file whether run from source or dist. */
export function repoRoot(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'nx.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no nx.json above ${__dirname}`);
  }
}

/** Git-ignored working data of local infrastructure: `<root>/.local`. */
export function localDir(...parts: string[]): string {
  return join(repoRoot(), '.local', ...parts);
}
