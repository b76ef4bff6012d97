/**
 * Windows Event XML files, as `wevtutil qe LOG /f:xml` (or `/f:RenderedXml`, with or without
 * `/e:Events`) and `Get-WinEvent … | % ToXml()` write them: `<Event>` elements one after the
 * other (not a well-formed document: there is no single root), or wrapped in `<Events>`, with an
 * optional XML declaration. UTF-8, or UTF-16 with a byte order mark (what Windows PowerShell's
 * `>` writes).
 *
 * Streaming: the decoded text is cut into `<Event>…</Event>` elements (CDATA sections and
 * comments are skipped while looking for the end tag) and each element is parsed with saxes by
 * `event-xml.ts`. Only the current element is buffered. A fresh parser per element means one
 * malformed event is one bad record (file, line, byte offset, record index) and the next
 * `<Event>` is read normally; an element cut short by a new `<Event>` start, an element larger
 * than MAX_EVENT_CHARS and text outside any element are reported the same way.
 */
import type { Readable } from 'node:stream';
import type { NormalizedEvent } from '../events/event.js';
import { eventFromXml } from './event-xml.js';
import { BATCH_SIZE } from './event-batches.js';
import type { ReadContext, SourceReader } from './reader.js';
import { utf16Of } from './utf16.js';

const FORMAT = 'windows-xml';
/** One Windows event is a few KiB; anything this large is not one. */
export const MAX_EVENT_CHARS = 16 * 1024 * 1024;

/** Markup that may sit between events: XML declaration, <Events> wrapper, comments, whitespace. */
const BETWEEN_EVENTS = /<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<\/?Events(?:\s[^>]*)?>|\s+/g;
/** Inside an event: its end tag, a new event's start (the current one was cut short), CDATA, comments. */
const INSIDE_EVENT = /<\/Event\s*>|<Event[\s>/]|<!\[CDATA\[|<!--/g;
const EVENT_START = /<Event[\s>/]/g;

export const windowsXmlReader: SourceReader = {
  format: FORMAT,
  description: 'Windows Event XML (wevtutil qe /f:xml, Get-WinEvent ToXml()): concatenated <Event> elements or <Events>',
  // Byte offsets in bad records are the file's, UTF-16 or not.
  decodesUtf16: true,
  sniff(head) {
    // XML starts with `<` after a byte order mark and blanks: anything else is rejected before
    // the whole head is copied (binary inputs such as EVTX would be, at every file of a folder).
    if (!/^[\uFEFF\uFFFD\u0000\s]*</.test(head.slice(0, 256))) return 0;
    // UTF-16 decoded as UTF-8 shows up as NULs between ASCII characters; drop them to look inside.
    const text = head.replace(/\u0000/g, '').replace(/^[\uFEFF\uFFFD]+/, '');
    const start = text.replace(/^(\s+|<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<Events(\s[^>]*)?>)*/, '');
    if (!/^<Event[\s>]/.test(start)) return 0;
    return /<System>|<System\s/.test(start) ? 0.9 : 0.6;
  },
  read: readWindowsXml,
};

/** Decodes the input by its byte order mark: UTF-8 (default), UTF-16LE or UTF-16BE. */
async function* decode(input: Readable): AsyncGenerator<{ text: string; bytesPerUnit: number; bom: number }> {
  let decoder: TextDecoder | undefined;
  let bytesPerUnit = 0;
  let bom = 0;
  for await (const raw of input) {
    const chunk: Buffer = typeof raw === 'string' ? Buffer.from(raw) : raw;
    if (decoder === undefined) {
      const utf16 = utf16Of(chunk);
      decoder = new TextDecoder(utf16 ?? 'utf-8'); // drops the BOM
      bytesPerUnit = utf16 ? 2 : 0;
      const marked = (chunk[0] === 0xff && chunk[1] === 0xfe) || (chunk[0] === 0xfe && chunk[1] === 0xff);
      bom = marked ? 2 : chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf ? 3 : 0;
    }
    yield { text: decoder.decode(chunk, { stream: true }), bytesPerUnit, bom };
  }
  if (decoder !== undefined) {
    const rest = decoder.decode();
    if (rest !== '') yield { text: rest, bytesPerUnit, bom };
  }
}

async function* readWindowsXml(input: Readable, ctx: ReadContext): AsyncGenerator<NormalizedEvent[]> {
  const splitter = new EventSplitter(ctx);
  let batch: NormalizedEvent[] = [];
  for await (const piece of decode(input)) {
    splitter.configure(piece.bytesPerUnit, piece.bom);
    for (const event of splitter.push(piece.text)) {
      batch.push(event);
      if (batch.length >= BATCH_SIZE) {
        yield batch;
        batch = [];
      }
    }
  }
  batch.push(...splitter.end());
  if (batch.length > 0) yield batch;
}

/**
 * Cuts decoded text into `<Event>` elements and parses each. Positions: `buf[0]` is at line
 * `bufLine`, byte `bufOffset`; `mark*` caches the position of an index inside `buf` so line and
 * byte counting stays linear.
 */
class EventSplitter {
  private buf = '';
  private pos = 0;
  /** Index in buf of the open event's `<Event`, or -1 outside an event. */
  private eventStart = -1;
  private eventLine = 0;
  private eventOffset = 0;
  /** Where to resume looking for the end of the open event. */
  private scanFrom = 0;
  /** After an oversized event: ignore text until the next `<Event`. */
  private skipping = false;
  private record = 0;
  private markIndex = 0;
  private markLine = 1;
  private markOffset = 0;
  private bytesPerUnit = 0;
  private configured = false;

  constructor(private readonly ctx: ReadContext) {}

  configure(bytesPerUnit: number, bom: number): void {
    if (this.configured) return;
    this.configured = true;
    this.bytesPerUnit = bytesPerUnit;
    this.markOffset = bom;
  }

  *push(text: string): Generator<NormalizedEvent> {
    this.dropConsumed();
    this.buf = this.buf.length === 0 ? text : this.buf + text;
    yield* this.scan(false);
  }

  end(): NormalizedEvent[] {
    return [...this.scan(true)];
  }

  private *scan(atEnd: boolean): Generator<NormalizedEvent> {
    for (;;) {
      if (this.eventStart < 0) {
        EVENT_START.lastIndex = this.pos;
        const found = EVENT_START.exec(this.buf);
        // Keep a possible '<Event' cut at the chunk end for the next chunk.
        const until = found ? found.index : atEnd ? this.buf.length : Math.max(this.pos, this.buf.length - 6);
        if (!found && !atEnd && until - this.pos < 1024 * 1024) return; // wait: a declaration or comment may be incomplete
        this.checkBetween(this.pos, until);
        this.pos = until;
        if (!found) return;
        this.openEvent(found.index);
      }
      INSIDE_EVENT.lastIndex = this.scanFrom;
      const found = INSIDE_EVENT.exec(this.buf);
      if (found === null) {
        if (this.buf.length - this.eventStart > MAX_EVENT_CHARS) {
          this.bad(this.eventLine, this.eventOffset, this.record++, `<Event> longer than ${MAX_EVENT_CHARS} characters without its end tag; skipped`);
          this.closeEvent(this.buf.length);
          this.skipping = true;
          continue;
        }
        if (atEnd) {
          this.bad(this.eventLine, this.eventOffset, this.record++, 'truncated <Event> at end of input');
          this.closeEvent(this.buf.length);
          return;
        }
        this.scanFrom = Math.max(this.scanFrom, this.buf.length - 16); // an end tag may straddle chunks
        return;
      }
      const token = found[0];
      if (token.startsWith('<![CDATA[') || token === '<!--') {
        const close = this.buf.indexOf(token === '<!--' ? '-->' : ']]>', found.index + token.length);
        if (close < 0) {
          if (atEnd) {
            this.bad(this.eventLine, this.eventOffset, this.record++, 'truncated <Event> at end of input (unclosed CDATA or comment)');
            this.closeEvent(this.buf.length);
            return;
          }
          this.scanFrom = found.index;
          return;
        }
        this.scanFrom = close + 3;
        continue;
      }
      if (token.startsWith('</')) {
        const end = found.index + token.length;
        const xml = this.buf.slice(this.eventStart, end);
        const source = { file: this.ctx.file, format: FORMAT, line: this.eventLine, offset: this.eventOffset, record: this.record++ };
        const event = eventFromXml(xml, source);
        if (typeof event === 'string') this.bad(source.line, source.offset, source.record, event);
        else yield event;
        this.closeEvent(end);
        continue;
      }
      // A new <Event> before this one ended: this one is cut short.
      this.bad(this.eventLine, this.eventOffset, this.record++, 'incomplete <Event> (a new <Event> starts before it ends)');
      this.closeEvent(found.index);
      this.openEvent(found.index);
    }
  }

  private openEvent(index: number): void {
    this.skipping = false;
    this.eventStart = index;
    this.scanFrom = index + 6;
    this.advanceMark(index);
    this.eventLine = this.markLine;
    this.eventOffset = this.markOffset;
  }

  private closeEvent(end: number): void {
    this.eventStart = -1;
    this.pos = end;
  }

  /** Text between events must be whitespace or the markup that wraps events. */
  private checkBetween(from: number, to: number): void {
    if (to <= from || this.skipping) return;
    const rest = this.buf.slice(from, to).replace(BETWEEN_EVENTS, '');
    if (rest === '') return;
    const at = from + this.buf.slice(from, to).search(/[^\s]/);
    this.advanceMark(at);
    const excerpt = rest.length > 60 ? `${rest.slice(0, 60)}…` : rest;
    this.bad(this.markLine, this.markOffset, undefined, `unexpected text outside <Event>: ${JSON.stringify(excerpt)}`);
  }

  private bad(line: number, offset: number, record: number | undefined, reason: string): void {
    this.ctx.bad({ file: this.ctx.file, format: FORMAT, line, offset, record, reason });
  }

  /** Move the line/byte mark forward to `index` in buf. */
  private advanceMark(index: number): void {
    if (index <= this.markIndex) return;
    const segment = this.buf.slice(this.markIndex, index);
    for (let i = segment.indexOf('\n'); i >= 0; i = segment.indexOf('\n', i + 1)) this.markLine++;
    this.markOffset += this.bytesPerUnit === 0 ? Buffer.byteLength(segment, 'utf8') : segment.length * this.bytesPerUnit;
    this.markIndex = index;
  }

  /** Drop the text before `pos` (read already) and re-express every index relative to the new start. */
  private dropConsumed(): void {
    const dropped = this.pos;
    if (dropped === 0) return;
    this.advanceMark(dropped);
    this.buf = this.buf.slice(dropped);
    this.pos = 0;
    this.markIndex -= dropped;
    if (this.eventStart >= 0) this.eventStart -= dropped;
    this.scanFrom = Math.max(0, this.scanFrom - dropped);
  }
}
