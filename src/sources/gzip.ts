/**
 * Gzip-compressed inputs: what logrotate leaves (`syslog.2.gz`, `audit.log.1.gz`) and how
 * collections ship NDJSON and CSV exports. Known by their magic bytes, whatever their name, and
 * read as the bytes they hold while they stream (memory stays that of the inflater's window). Line
 * numbers, record numbers and byte offsets are those of the decompressed input; a corrupt or cut
 * member fails its reader, reported as a bad record, and the scan goes on.
 */
import { pipeline, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

/** RFC 1952: ID1 ID2 and the deflate method. */
export function isGzip(head: Uint8Array): boolean {
  return head.length >= 3 && head[0] === 0x1f && head[1] === 0x8b && head[2] === 0x08;
}

/** The decompressed bytes of `compressed` (every member of a concatenated file); an error of either stream ends both. */
export function gunzipped(compressed: Readable): Readable {
  return pipeline(compressed, createGunzip(), () => {});
}
