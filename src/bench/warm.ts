import { createReadStream, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Reads a file once, dropping the bytes, so that the measurement that follows reads it from the
 * page cache like every other. Without it the first reader of a file pays for the disk: hosts
 * that reclaim cold page cache (DAMON `pageout`) charge the first reader
 * (docs/performance.md#how-the-project-measures).
 */
export async function warmPageCache(path: string): Promise<void> {
  if (statSync(path).isDirectory()) {
    // A rule folder: its files are read cold too.
    for (const entry of readdirSync(path)) await warmPageCache(join(path, entry));
    return;
  }
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) void chunk;
}
