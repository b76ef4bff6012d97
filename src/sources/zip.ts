/**
 * Zip archives of telemetry (a KAPE or Velociraptor collection, a ticket's attachment, EVTX files
 * zipped to be mailed): known by their magic bytes, whatever their name, each file entry read as
 * an input of its own, named `ARCHIVE!/ENTRY`, in the archive's order. yauzl reads the central
 * directory and inflates one entry at a time as it streams (memory stays an entry's window, not
 * the archive's), checking each entry's size and CRC. Folders, hidden entries, macOS's
 * `__MACOSX/` resource forks and what a folder walk skips are passed over; a zip inside the zip is
 * an entry no reader knows.
 */
import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import yauzl, { type Entry, type ZipFile } from 'yauzl';

/** PKWARE's local file header signature, `PK\x03\x04`: the start of a zip file (an empty archive starts otherwise, and holds nothing). */
export function isZip(head: Uint8Array): boolean {
  return head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04;
}

export interface ZipMember {
  /** The entry's path inside the archive. */
  name: string;
  /** Its bytes, inflated as they are read; rejects for an entry yauzl cannot read (encrypted, an unknown method). */
  open(): Promise<Readable>;
}

/**
 * The file entries of the archive at `path` worth reading, one at a time: the next is read from
 * the central directory only when the caller asks for it, after it is done with the last.
 * `skipped(name)`: entries a folder walk would skip too (by extension).
 */
export async function* zipMembers(path: string, skipped: (name: string) => boolean): AsyncGenerator<ZipMember> {
  const zip = await new Promise<ZipFile>((resolve, reject) =>
    yauzl.open(path, { lazyEntries: true, autoClose: false, validateEntrySizes: true }, (err, file) => (err ? reject(err) : resolve(file))),
  );
  try {
    for (let entry = await nextEntry(zip); entry !== undefined; entry = await nextEntry(zip)) {
      const name = entry.fileName;
      const base = basename(name);
      if (name.endsWith('/') || name.startsWith('__MACOSX/') || base.startsWith('.') || skipped(name)) continue;
      const found = entry;
      yield {
        name,
        open: () => new Promise<Readable>((resolve, reject) => zip.openReadStream(found, (err, stream) => (err ? reject(err) : resolve(stream)))),
      };
    }
  } finally {
    zip.close();
  }
}

/** The next entry of the central directory, or undefined at its end. */
function nextEntry(zip: ZipFile): Promise<Entry | undefined> {
  return new Promise((resolve, reject) => {
    const done = () => {
      zip.off('entry', onEntry);
      zip.off('end', onEnd);
      zip.off('error', onError);
    };
    const onEntry = (entry: Entry) => (done(), resolve(entry));
    const onEnd = () => (done(), resolve(undefined));
    const onError = (err: Error) => (done(), reject(err));
    zip.on('entry', onEntry);
    zip.on('end', onEnd);
    zip.on('error', onError);
    zip.readEntry();
  });
}
