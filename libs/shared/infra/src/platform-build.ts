import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './repo-root';

/**
 * Compiles apps/ and libs/ with swc (.swcrc, specs left out) into `outDir` (relative to the
 * repository root): the one build `npm start`, the benches and the service-process tests run.
 */
export function buildPlatform(
  outDir: string,
  stdio: 'inherit' | 'pipe' = 'inherit',
): { readonly dir: string } {
  const root = repoRoot();
  const swc = join(root, 'node_modules', '@swc', 'cli', 'bin', 'swc.js');
  const args = ['apps', 'libs', '-d', outDir, '--config-file', '.swcrc', '--copy-files'];
  const result = spawnSync(
    process.execPath,
    [swc, ...args, '--ignore', '**/*.spec.ts', '--quiet'],
    { cwd: root, stdio, encoding: 'utf8' },
  );
  if (result.status !== 0)
    throw new Error(`swc build failed${result.stderr ? `: ${result.stderr}` : ''}`);
  return { dir: join(root, outDir) };
}
