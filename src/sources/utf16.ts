/**
 * Text inputs in UTF-16, read as the UTF-8 the readers expect. Windows PowerShell 5.1 writes
 * UTF-16LE with a byte order mark for `>` and `Out-File`, so `wevtutil qe … /f:xml > sysmon.xml`
 * or `… | ConvertTo-Json > events.json` on a Windows host gives UTF-16, which no text reader's
 * sniff recognises as it is.
 */
import { Transform, type Readable } from 'node:stream';

export type Utf16 = 'utf-16le' | 'utf-16be';

/**
 * The UTF-16 encoding of a head: by its byte order mark, or, without one, by the zero high
 * bytes of ASCII text in its first code units (UTF-8 text has no NUL there; a binary format is
 * told by its signature before this is asked).
 */
export function utf16Of(head: Buffer): Utf16 | undefined {
  if (head.length >= 2 && head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head.length >= 2 && head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  if (head.length < 8) return undefined;
  const zeroAt = (parity: number) => [0, 2, 4, 6].every((i) => head[i + parity] === 0 && head[i + 1 - parity] !== 0);
  if (zeroAt(1)) return 'utf-16le';
  if (zeroAt(0)) return 'utf-16be';
  return undefined;
}

/**
 * A small text file's bytes (a rule, a config file) as text: UTF-8, or UTF-16 as `utf16Of` finds
 * it, which YAML allows and a Windows editor writes when a file is saved as "Unicode".
 */
export function textOf(bytes: Buffer): string {
  const utf16 = utf16Of(bytes);
  return utf16 ? decodeHead(bytes, utf16) : bytes.toString('utf8');
}

/** The head as text, for sniffing (a byte order mark is dropped, a cut last code unit replaced). */
export function decodeHead(head: Buffer, encoding: Utf16): string {
  return new TextDecoder(encoding).decode(head);
}

/**
 * The stream as UTF-8, decoded as it flows (a code unit or surrogate pair cut between two chunks
 * is completed by the next): memory stays at one chunk. Line numbers are the file's; byte
 * offsets in bad records count the UTF-8 text's bytes.
 */
export function asUtf8(input: Readable, encoding: Utf16): Readable {
  const decoder = new TextDecoder(encoding);
  const transcode = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      const text = decoder.decode(chunk, { stream: true });
      done(null, text.length > 0 ? Buffer.from(text, 'utf8') : undefined);
    },
    flush(done) {
      const rest = decoder.decode();
      done(null, rest.length > 0 ? Buffer.from(rest, 'utf8') : undefined);
    },
  });
  input.on('error', (err) => transcode.destroy(err));
  return input.pipe(transcode);
}
