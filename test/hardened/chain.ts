/** Builds small process chains as normalized events and runs them through enrichment and a pack. */
import type { Alert } from '../../src/alerts/alert.js';
import { Detector } from '../../src/alerts/detector.js';
import { loadPacks, type Pack } from '../../src/alerts/pack.js';
import { Enricher } from '../../src/enrich/enricher.js';
import type { Fields, NormalizedEvent } from '../../src/events/event.js';

export interface Proc {
  guid: string;
  pid: number;
  image: string;
  cmd: string;
  cwd: string;
  user: string;
}

export class Chain {
  readonly events: NormalizedEvent[] = [];
  private t: number;
  private pid = 4000;

  constructor(readonly host: string, readonly product: 'windows' | 'linux', start = '2026-05-01T10:00:00Z') {
    this.t = Date.parse(start);
  }

  root(image: string, cmd: string, cwd: string, user = 'dev'): Proc {
    return { guid: `{root-${(this.pid += 7)}}`, pid: this.pid, image, cmd, cwd, user };
  }

  private event(category: string, fields: Fields, user: string, dt: number): NormalizedEvent {
    this.t += dt;
    const e: NormalizedEvent = { time: this.t, category, product: this.product, host: this.host, user, fields: { Computer: this.host, ...fields }, source: { file: 'chain', format: 'test', line: this.events.length + 1 } };
    this.events.push(e);
    return e;
  }

  spawn(parent: Proc, image: string, cmd: string, opts: { cwd?: string; user?: string; dt?: number; extra?: Fields } = {}): Proc {
    const p: Proc = { guid: `{p-${(this.pid += 11)}}`, pid: this.pid, image, cmd, cwd: opts.cwd ?? parent.cwd, user: opts.user ?? parent.user };
    this.event('process_creation', {
      ProcessGuid: p.guid, ProcessId: p.pid, Image: image, CommandLine: cmd, CurrentDirectory: p.cwd, User: p.user,
      ParentProcessGuid: parent.guid, ParentProcessId: parent.pid, ParentImage: parent.image, ParentCommandLine: parent.cmd, ...opts.extra,
    }, p.user, opts.dt ?? 100);
    return p;
  }

  connect(p: Proc, ip: string, hostname?: string, dt = 100, port = 443): void {
    const fields: Fields = { ProcessGuid: p.guid, ProcessId: p.pid, Image: p.image, User: p.user, Initiated: 'true', DestinationIp: ip, DestinationPort: port };
    if (hostname) fields.DestinationHostname = hostname;
    this.event('network_connection', fields, p.user, dt);
  }

  resolve(p: Proc, name: string, ip: string): void {
    this.event('dns_query', { ProcessGuid: p.guid, ProcessId: p.pid, Image: p.image, QueryName: name, QueryResults: `::ffff:${ip};` }, p.user, 10);
  }

  write(p: Proc, path: string): void {
    this.event('file_event', { ProcessGuid: p.guid, ProcessId: p.pid, Image: p.image, TargetFilename: path, User: p.user }, p.user, 10);
  }

  open(p: Proc, path: string): void {
    this.event('file_access', { ProcessGuid: p.guid, ProcessId: p.pid, Image: p.image, TargetFilename: path, User: p.user }, p.user, 10);
  }
}

let hardened: Pack | undefined;

export async function hardenedPack(): Promise<Pack> {
  if (!hardened) {
    const loaded = await loadPacks(['hardened']);
    if (loaded.packs.length !== 1) throw new Error(`hardened pack did not load: ${JSON.stringify(loaded.rejected)}`);
    hardened = loaded.packs[0]!;
  }
  return hardened;
}

/** Titles of the alerts the hardened pack raises on the chain, in order. */
export async function alertTitles(chain: Chain): Promise<string[]> {
  const pack = await hardenedPack();
  const enricher = new Enricher();
  const detector = new Detector([pack]);
  const out: Alert[] = [];
  chain.events.forEach((event, i) => {
    enricher.enrich(event);
    detector.detect(event, i + 1, out);
  });
  detector.finish(out);
  return out.map((a) => a.rule.title);
}
