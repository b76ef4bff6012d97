/**
 * Winlogbeat/ECS, Sigma-field and OTRF documents as Elasticsearch / OpenSearch give them back:
 * whole `_search` responses (one line, pretty-printed, scroll pages appended), one hit per line
 * (elasticdump), and hits in a JSON array (Kibana Discover's "Copy documents to clipboard (JSON)").
 * Each gives the bare documents' events, with the line each hit starts on and the hit's `_index`
 * and `_id` as fields; a broken hit is one bad record.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { NormalizedEvent } from '../../src/events/event.js';
import { NO_SOURCE, SEARCH_RESPONSE_AS_RECORD } from '../../src/sources/elastic-hits.js';
import { sniffFormat } from '../../src/sources/open.js';
import { otrfReader } from '../../src/sources/otrf.js';
import type { SourceReader } from '../../src/sources/reader.js';
import { sigmaNdjsonReader } from '../../src/sources/sigma-ndjson.js';
import { winlogbeatReader } from '../../src/sources/winlogbeat.js';
import { chunked, fixture, readWith, withoutSource } from './helpers.js';

const INDEX = '.ds-logs-windows.sysmon_operational-default-2026.11.27-000001';

interface Hit {
  _index: string;
  _id: string;
  _score: number | null;
  _source: unknown;
  sort?: number[];
}

const hitsOf = (documents: unknown[], from = 0): Hit[] => documents.map((doc, i) => ({ _index: INDEX, _id: `id-${from + i}`, _score: null, _source: doc, sort: [from + i] }));

function response(hits: Hit[], scrollId?: string): Record<string, unknown> {
  const body = { took: 7, timed_out: false, _shards: { total: 1, successful: 1, skipped: 0, failed: 0 }, hits: { total: { value: hits.length, relation: 'eq' }, max_score: null, hits } };
  return scrollId === undefined ? body : { _scroll_id: scrollId, ...body };
}

interface Export {
  name: string;
  text: (documents: unknown[]) => string;
  /** The lines the hits start on. */
  starts: (text: string, count: number) => number[];
}

const linesMatching = (pattern: RegExp) => (text: string) => text.split('\n').flatMap((l, i) => (pattern.test(l) ? [i + 1] : []));
const allOnLine = (line: number) => (_text: string, count: number) => Array<number>(count).fill(line);

const EXPORTS: Export[] = [
  { name: '_search response on one line', text: (d) => JSON.stringify(response(hitsOf(d))) + '\n', starts: allOnLine(1) },
  { name: '_search response pretty-printed (Dev Tools Console, curl ?pretty)', text: (d) => JSON.stringify(response(hitsOf(d)), null, 2) + '\n', starts: linesMatching(/^ {6}\{$/) },
  {
    name: 'scroll pages appended, one response per line',
    text: (d) => JSON.stringify(response(hitsOf(d.slice(0, 2)), 'FGluY2x1ZGVfY29udGV4dF91dWlk')) + '\n' + JSON.stringify(response(hitsOf(d.slice(2), 2), 'FGluY2x1ZGVfY29udGV4dF91dWlk')) + '\n',
    starts: (_text, count) => [1, 1, ...Array<number>(count - 2).fill(2)],
  },
  {
    name: 'async search response pretty-printed (GET _async_search/<id>, what Kibana searches with)',
    text: (d) => JSON.stringify({ id: 'FmRldE8zREVEUzA2ZVpUeGs2ejJFUFEaMkZ5QTVrSTZSaVN3WlNFVmtlWHJsdzoxMDc=', is_partial: false, is_running: false, start_time_in_millis: 1795770000000, expiration_time_in_millis: 1796202000000, completion_time_in_millis: 1795770000040, response: response(hitsOf(d)) }, null, 2) + '\n',
    starts: linesMatching(/^ {8}\{$/),
  },
  { name: 'async search response on one line, as rawResponse', text: (d) => JSON.stringify({ rawResponse: response(hitsOf(d)), isPartial: false, isRunning: false }) + '\n', starts: allOnLine(1) },
  {
    name: '_msearch response pretty-printed, hits in two of its responses (Kibana Discover before 7.10)',
    text: (d) => JSON.stringify({ took: 9, responses: [{ ...response(hitsOf(d.slice(0, 2))), status: 200 }, { ...response(hitsOf(d.slice(2), 2)), status: 200 }] }, null, 2) + '\n',
    starts: linesMatching(/^ {10}\{$/),
  },
  { name: 'one hit per line (elasticdump)', text: (d) => hitsOf(d).map((h) => JSON.stringify({ _index: h._index, _id: h._id, _score: 1, _source: h._source }) + '\n').join(''), starts: (_text, count) => Array.from({ length: count }, (_, i) => i + 1) },
  { name: 'hits in a one-line JSON array (Kibana Discover "Copy documents to clipboard (JSON)")', text: (d) => JSON.stringify(hitsOf(d)), starts: allOnLine(1) },
];

/** The fixture's NDJSON lines that its reader turns into events, and those events. */
async function bareRead(reader: SourceReader, name: string) {
  const lines = readFileSync(fixture(name), 'utf8').split('\n');
  const { events } = await readWith(reader, chunked(readFileSync(fixture(name)), [65_536]), name);
  return { events, documents: events.map((e) => JSON.parse(lines[e.source.line! - 1]!) as unknown) };
}

/** Events without provenance and without the hit's `_index`/`_id`, to compare with the bare documents'. */
const withoutHit = (events: NormalizedEvent[]) =>
  withoutSource(events).map(({ fields: { _index: _i, _id: _d, ...fields }, ...rest }) => ({ ...rest, fields }));

describe('Elasticsearch / OpenSearch hits are read as the documents they hold', () => {
  for (const [reader, name] of [
    [winlogbeatReader, 'winlogbeat.ndjson'],
    [sigmaNdjsonReader, 'sigma.ndjson'],
    [otrfReader, 'otrf.ndjson'],
  ] as const) {
    for (const shape of EXPORTS) {
      it(`${reader.format}: ${shape.name}`, async () => {
        const bare = await bareRead(reader, name);
        expect(bare.events.length).toBeGreaterThan(2);
        const text = shape.text(bare.documents);
        expect(sniffFormat(text)?.format).toBe(reader.format);
        // Chunks cut inside hits, inside strings and inside the response's wrapper.
        const { events, bad } = await readWith(reader, chunked(text, [5, 301, 4096]), 'hits.json');
        expect(bad).toEqual([]);
        expect(withoutHit(events)).toEqual(withoutSource(bare.events));
        // A `supplywatch dump` line's fields are its `fields` member, not the document: no hit fields there.
        const dumped = (doc: unknown) => (doc as { source?: unknown }).source !== undefined;
        expect(events.map((e) => [e.fields._index, e.fields._id])).toEqual(bare.documents.map((doc, i) => (dumped(doc) ? [undefined, undefined] : [INDEX, `id-${i}`])));
        expect(events.map((e) => e.source)).toEqual(shape.starts(text, events.length).map((line) => ({ file: 'hits.json', format: reader.format, line })));
      });
    }
  }

  it("a document's own _index or _id is kept, not the hit's", async () => {
    const doc = { category: 'process_creation', product: 'windows', Image: 'C:\\x.exe', _id: 'own' };
    const { events } = await readWith(sigmaNdjsonReader, chunked(JSON.stringify({ _index: INDEX, _id: 'hit', _source: doc }) + '\n', [64]));
    expect(events[0]!.fields).toMatchObject({ _index: INDEX, _id: 'own' });
  });

  it('only the response\'s own hits are read, not the top_hits of its aggregations', async () => {
    const doc = (n: number) => ({ category: 'process_creation', product: 'windows', Image: `C:\\n${n}.exe` });
    const body = { ...response(hitsOf([doc(0), doc(1)])), aggregations: { by_host: { buckets: [{ key: 'ws1', latest: { hits: { total: 5, hits: hitsOf([doc(9)]) } } }] } } };
    const { events, bad } = await readWith(sigmaNdjsonReader, chunked(JSON.stringify(body, null, 2), [100]));
    expect(bad).toEqual([]);
    expect(events.map((e) => e.fields.Image)).toEqual(['C:\\n0.exe', 'C:\\n1.exe']);
  });

  it('splits NDJSON of hits for a parallel scan, never a search response', () => {
    const hits = hitsOf([{ Image: 'C:\\x.exe', EventID: 1 }, { Image: 'C:\\y.exe', EventID: 1 }]);
    for (const reader of [sigmaNdjsonReader, winlogbeatReader, otrfReader]) {
      expect(reader.splitsInput!(hits.map((h) => JSON.stringify(h) + '\n').join(''))).toBe(true);
      expect(reader.splitsInput!(JSON.stringify(response(hits)) + '\n')).toBe(false);
      expect(reader.splitsInput!(JSON.stringify(response(hits), null, 2))).toBe(false);
      expect(reader.splitsInput!(JSON.stringify({ id: 'x', is_running: false, response: response(hits) }) + '\n')).toBe(false);
    }
  });
});

describe('a broken hit is one bad record', () => {
  const sysmon = (n: number) => ({
    '@timestamp': `2026-11-27T09:14:0${n}.000Z`,
    winlog: { channel: 'Microsoft-Windows-Sysmon/Operational', event_id: '1', computer_name: 'ws1', event_data: { Image: `C:\\n${n}.exe` } },
  });

  it('in a pretty-printed response: reported with its line, offset and index; the hits around it are read', async () => {
    const pretty = JSON.stringify(response(hitsOf([0, 1, 2].map(sysmon))), null, 2);
    const second = pretty.indexOf('"_id": "id-1"');
    const broken = pretty.slice(0, second) + '"_id" "id-1"' + pretty.slice(second + '"_id": "id-1"'.length); // a missing colon
    const hitStart = broken.lastIndexOf('{', second);
    const { events, bad } = await readWith(winlogbeatReader, chunked(broken, [77]), 'search.json');
    expect(bad).toEqual([
      { file: 'search.json', format: 'winlogbeat', line: broken.slice(0, hitStart).split('\n').length, offset: hitStart, record: 1, reason: expect.stringMatching(/^invalid JSON: /) },
    ]);
    expect(events.map((e) => e.fields.Image)).toEqual(['C:\\n0.exe', 'C:\\n2.exe']);
  });

  it('one hit per line: a broken line and a hit without _source are reported by line; the next hits are read', async () => {
    const [h0, h1, h2, h3] = hitsOf([0, 1, 2, 3].map(sysmon)).map((h) => JSON.stringify(h));
    const noSource = JSON.stringify({ _index: INDEX, _id: 'id-9', _score: 1, fields: { 'winlog.event_data.Image': ['C:\\n9.exe'] } });
    const text = [h0, h1!.slice(0, 60), noSource, h2, h3].join('\n') + '\n';
    const { events, bad } = await readWith(winlogbeatReader, chunked(text, [33]), 'dump.ndjson');
    expect(bad.map((b) => [b.line, b.reason.replace(/:.*/, '')])).toEqual([
      [2, 'invalid JSON'],
      [3, NO_SOURCE],
    ]);
    expect(events.map((e) => [e.source.line, e.fields.Image])).toEqual([
      [1, 'C:\\n0.exe'],
      [4, 'C:\\n2.exe'],
      [5, 'C:\\n3.exe'],
    ]);
  });

  it('search responses inside a JSON array (jq -s of scroll pages) are bad records, not events: their hits are read from the pages as written', async () => {
    const pages = [response(hitsOf([0, 1].map(sysmon))), response(hitsOf([2].map(sysmon), 2))];
    const text = JSON.stringify(pages, null, 2);
    for (const reader of [winlogbeatReader, sigmaNdjsonReader]) {
      const { events, bad } = await readWith(reader, chunked(text, [64]), 'pages.json');
      expect(events).toEqual([]);
      expect(bad.map((b) => [b.line, b.reason])).toEqual([
        [2, SEARCH_RESPONSE_AS_RECORD],
        [text.split('\n').indexOf('  {', 2) + 1, SEARCH_RESPONSE_AS_RECORD],
      ]);
    }
  });

  it('a response cut short (a truncated download) is reported after the hits it holds', async () => {
    const text = JSON.stringify(response(hitsOf([0, 1, 2].map(sysmon))), null, 2);
    const cut = text.slice(0, text.indexOf('"_id": "id-2"'));
    const { events, bad } = await readWith(winlogbeatReader, chunked(cut, [200]), 'cut.json');
    expect(events.map((e) => e.fields.Image)).toEqual(['C:\\n0.exe', 'C:\\n1.exe']);
    expect(bad.map((b) => b.reason)).toEqual(['incomplete record at end of input', 'input ends before the "hits.hits" array closes (truncated export?)']);
  });
});
