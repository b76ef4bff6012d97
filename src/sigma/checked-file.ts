/**
 * The files of the rule and automaton caches: a checksum of the payload, then the payload (a V8
 * serialization). A file whose checksum does not match — torn, truncated, edited — is read as
 * absent, never trusted; a file is written under a temporary name and renamed, so a reader sees
 * the old file or the new one.
 *
 * The checksum is a CRC-32 (zlib's, from Node 20.15), which finds the accidents it is for (a torn
 * write, a flipped bit, an edit) at a fraction of SHA-256's cost: a warm hunt reads ~38 MB of
 * these files (docs/performance.md#rule-cache). Without zlib.crc32, a truncated SHA-256; a file
 * written by one is read as corrupt by the other, and rewritten.
 */
import { hash } from 'node:crypto';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { deserialize, serialize } from 'node:v8';
import * as zlib from 'node:zlib';

/** Bytes before the payload. */
export const CHECKSUM_LENGTH = 12;

const crc32 = (zlib as { crc32?: (data: Uint8Array) => number }).crc32;

function checksum(payload: Uint8Array): string {
  return crc32 ? `crc:${crc32(payload).toString(16).padStart(8, '0')}` : `sha:${hash('sha256', payload, 'hex').slice(0, 8)}`;
}

/** The value stored in `file`, or undefined when it is missing, corrupt or unreadable. */
export function readChecked(file: string): unknown {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    return undefined;
  }
  const payload = bytes.subarray(CHECKSUM_LENGTH);
  if (bytes.length <= CHECKSUM_LENGTH || bytes.toString('latin1', 0, CHECKSUM_LENGTH) !== checksum(payload)) return undefined;
  try {
    return deserialize(payload);
  } catch {
    return undefined;
  }
}

/** The payload behind its checksum, as a file holds it. */
export function framed(payload: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from(checksum(payload), 'latin1'), payload]);
}

/**
 * Stores `value` in `file` atomically, after `prepare` (making its folder). A cache that cannot be
 * written (read-only home, full disk) only means building again next time: errors are swallowed.
 */
export function writeChecked(file: string, value: unknown, prepare: () => void): void {
  const temporary = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    prepare();
    const payload = serialize(value);
    writeFileSync(temporary, framed(payload));
    renameSync(temporary, file);
  } catch {
    // No cache then. The temporary file may be there, or its path may not even be one (a file
    // where the cache folder would be: ENOTDIR, which `force` does not ignore).
    try {
      rmSync(temporary, { force: true });
    } catch {
      // Nothing was written.
    }
  }
}
