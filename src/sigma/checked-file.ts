/**
 * The files of the rule and automaton caches: the SHA-256 (hex) of the payload, then the payload
 * (a V8 serialization). A file whose checksum does not match — torn, truncated, edited — is read
 * as absent, never trusted; a file is written under a temporary name and renamed, so a reader
 * sees the old file or the new one.
 */
import { hash } from 'node:crypto';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { deserialize, serialize } from 'node:v8';

const CHECKSUM_LENGTH = 64;

/** The value stored in `file`, or undefined when it is missing, corrupt or unreadable. */
export function readChecked(file: string): unknown {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    return undefined;
  }
  const payload = bytes.subarray(CHECKSUM_LENGTH);
  if (bytes.length <= CHECKSUM_LENGTH || bytes.toString('latin1', 0, CHECKSUM_LENGTH) !== hash('sha256', payload, 'hex')) return undefined;
  try {
    return deserialize(payload);
  } catch {
    return undefined;
  }
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
    writeFileSync(temporary, Buffer.concat([Buffer.from(hash('sha256', payload, 'hex'), 'latin1'), payload]));
    renameSync(temporary, file);
  } catch {
    rmSync(temporary, { force: true });
  }
}
