import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import type { BundleFiles } from './bundle.types';
import { readTar, writeTar } from './tar-archive';

/** Writes a bundle as a directory (created; refused when it exists and is not empty). */
export async function writeBundleDirectory(dir: string, files: BundleFiles): Promise<void> {
  const existing = await readdir(dir).catch(() => []);
  if (existing.length > 0) throw new Error(`${dir} exists and is not empty`);
  for (const [path, bytes] of files) {
    const target = join(dir, ...path.split('/'));
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, bytes, { flag: 'wx' });
  }
}

/** Writes a bundle as one ustar archive (refused when the file exists). */
export async function writeBundleArchive(file: string, files: BundleFiles): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, writeTar(files), { flag: 'wx' });
}

/** Reads a bundle from a directory or a tar archive: every regular file, by relative path. */
export async function readBundle(path: string): Promise<Map<string, Buffer>> {
  const info = await stat(path);
  if (info.isFile()) return readTar(await readFile(path));
  const files = new Map<string, Buffer>();
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else files.set(relative(path, full).split(sep).join('/'), await readFile(full));
    }
  };
  await walk(path);
  return files;
}
