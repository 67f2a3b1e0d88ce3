import { mkdir, readFile, readdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CheckpointPublisher } from './event-sealer.checkpoints';

const SUFFIX = '.checkpoint';

/**
 * Writes each signed checkpoint to `<dir>/<tree size, 20 digits>.checkpoint` (atomically: a
 * temporary file renamed) and to `<dir>/latest.checkpoint`, for an operator to ship elsewhere.
 */
export function fileCheckpointPublisher(dir: string): CheckpointPublisher {
  return async (checkpoint) => {
    await mkdir(dir, { recursive: true });
    const name = `${String(checkpoint.treeSize).padStart(20, '0')}${SUFFIX}`;
    for (const file of [name, `latest${SUFFIX}`]) {
      const temporary = join(dir, `.${file}.${process.pid}.tmp`);
      await writeFile(temporary, checkpoint.note);
      await rename(temporary, join(dir, file));
    }
  };
}

/** The checkpoints in `dir`, by tree size (latest.checkpoint is a copy of the largest). */
export async function readCheckpointDirectory(dir: string): Promise<string[]> {
  let files: string[];
  try {
    files = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const numbered = files.filter((file) => /^\d{20}\.checkpoint$/.test(file)).sort();
  return Promise.all(numbered.map((file) => readFile(join(dir, file), 'utf8')));
}
