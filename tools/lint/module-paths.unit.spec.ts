import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// The compiler (tsconfig.base.json: typecheck, jest, tsx) and the build (.swcrc: npm start, the
// Dockerfile, service processes in tests) each resolve `@trainyard/*` from their own list. A
// library added to one only built fine and then failed at start with "Cannot find module".
const root = join(__dirname, '..', '..');
const pathsOf = (file: string, at: (json: Record<string, unknown>) => unknown): unknown =>
  at(JSON.parse(readFileSync(join(root, file), 'utf8')) as Record<string, unknown>);

describe('module paths', () => {
  it('the swc build resolves every @trainyard alias the compiler knows, to the same file', () => {
    const compiler = pathsOf(
      'tsconfig.base.json',
      (json) => (json.compilerOptions as { paths: unknown }).paths,
    );
    const build = pathsOf('.swcrc', (json) => (json.jsc as { paths: unknown }).paths);
    expect(build).toEqual(compiler);
  });
});
