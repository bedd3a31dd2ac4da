import { readFile } from 'node:fs/promises';

/** A store file's text, or null when it does not exist yet; any other failure is thrown. */
export async function readIfPresent(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}
