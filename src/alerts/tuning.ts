/**
 * Applies a validated config to alerts: drops the tuned-out ones and re-levels the rest.
 *
 * Suppressions and level overrides apply to every rule. The other sections apply only to rules
 * that declare the matching hook in their custom `tuning:` attribute, because each of them
 * means something only for a kind of rule:
 * - `allowed-hosts`: the event's destination (DestinationHostname, DestinationIp or QueryName)
 *   is a declared mirror or allowed host.
 * - `registry-flags`: every registry URL the command line sets is a declared mirror or allowed
 *   host over https (or a mirror declared with http://).
 * - `bots`: the event's account is a declared bot.
 * - `build-chain`: the event's image (or, for `descendants: true` entries, an ancestor) is a
 *   declared build tool.
 */
import type { Alert } from './alert.js';
import type { FieldValue, NormalizedEvent } from '../events/event.js';
import { parseConfig, type ConfigSource } from '../config/index.js';
import type { Suppression, SupplywatchConfig } from '../config/schema.js';

export type TuningHook = 'allowed-hosts' | 'registry-flags' | 'bots' | 'build-chain';

/** Why an alert was dropped, for the summary. */
export type DropReason = TuningHook | 'suppression';

const REGISTRY_URL = /(?:--registry|--index-url|--extra-index-url|--source|-i|config\s+set\s+\S*(?:registry|index-url|registryserver))(?:=|\s+)["']?((?:https?):\/\/[^\s"']+)/gi;

/** The tuning of a config read and validated by the command, with expiry checked against `now` (and the clock after it, `liveClock`). */
export function parseTuning(source: ConfigSource, now: number, liveClock = false): Tuning {
  return new Tuning(parseConfig(source.text, source.file), now, liveClock);
}

export class Tuning {
  readonly dropped = new Map<DropReason, number>();
  /** Suppressions past their expiry date: ignored, and reported so they get revisited. */
  readonly expired: Suppression[];
  private readonly active: Suppression[];

  constructor(
    readonly config: SupplywatchConfig,
    now: number,
    /** Suppressions are checked against the clock too, as it passes their dates (a long-running command). */
    private readonly liveClock = false,
  ) {
    this.active = config.suppressions.filter((s) => now < s.expires);
    this.expired = config.suppressions.filter((s) => now >= s.expires);
  }

  /**
   * Extends the enrichment's registry allowlist with the config's mirrors and allowed hosts:
   * a destination they allow (by name, or by IP/CIDR when no name is known) gets
   * DestinationIsAllowedRegistry = true before the rules run, so every rule and correlation
   * that asks the enrichment's question gets the tuned answer.
   */
  markAllowedDestination(event: NormalizedEvent): void {
    const f = event.fields;
    if (f.DestinationIsAllowedRegistry === true) return;
    const name = text(f.DestinationHostname);
    const ip = text(f.DestinationIp);
    if ((name !== undefined && name !== '-' && this.config.allowed.allows(name)) || (ip !== undefined && this.config.allowed.allows(ip))) {
      f.DestinationIsAllowedRegistry = true;
    }
  }

  /** Tunes `out[from..]` in place. */
  applyFrom(out: Alert[], from: number): void {
    let w = from;
    for (let r = from; r < out.length; r += 1) {
      const alert = this.apply(out[r]!);
      if (alert) out[w++] = alert;
    }
    out.length = w;
  }

  /** The alert as it should be reported (maybe re-levelled), or undefined when tuned out. */
  apply(alert: Alert): Alert | undefined {
    const hooks = hooksOf(alert.rule);
    const f = alert.event.fields;
    const reason =
      (hooks.has('allowed-hosts') && this.allowedDestination(alert) && 'allowed-hosts') ||
      (hooks.has('registry-flags') && this.allowedRegistryFlags(text(f.CommandLine)) && 'registry-flags') ||
      (hooks.has('bots') && this.isBot(alert) && 'bots') ||
      (hooks.has('build-chain') && this.inBuildChain(f.Image, f.AncestorImages) && 'build-chain') ||
      (this.active.some((s) => suppresses(s, alert) && (!this.liveClock || Date.now() < s.expires)) && 'suppression') ||
      undefined;
    if (reason) {
      this.dropped.set(reason, (this.dropped.get(reason) ?? 0) + 1);
      return undefined;
    }
    const level = alert.rule.id ? this.config.levels.get(alert.rule.id.toLowerCase()) : undefined;
    if (level === undefined || level === alert.rule.level) return alert;
    // The rule object is shared by every alert of the pack: override through a child object.
    const rule = Object.create(alert.rule, { level: { value: level, enumerable: true } }) as Alert['rule'];
    return { ...alert, rule };
  }

  private allowedDestination(alert: Alert): boolean {
    const f = alert.event.fields;
    const allowed = this.config.allowed;
    const name = text(f.DestinationHostname) ?? text(f.QueryName);
    if (name !== undefined && name !== '-' && allowed.allows(name)) return true;
    const ip = text(f.DestinationIp);
    return ip !== undefined && allowed.allows(ip);
  }

  private allowedRegistryFlags(commandLine: string | undefined): boolean {
    if (!commandLine) return false;
    const urls = [...commandLine.matchAll(REGISTRY_URL)].map((m) => m[1]!);
    if (urls.length === 0) return false;
    return urls.every((raw) => {
      let url: URL;
      try {
        url = new URL(raw);
      } catch {
        return false;
      }
      const host = url.hostname.toLowerCase();
      if (url.protocol === 'https:') return this.config.allowed.allows(host);
      return this.config.mirrors.some((m) => m.http && m.host === host);
    });
  }

  private isBot(alert: Alert): boolean {
    const users = [alert.event.user, text(alert.event.fields.User)].filter((u): u is string => u !== undefined);
    return users.some((u) => this.config.bots.some((b) => b.match(u)));
  }

  private inBuildChain(image: FieldValue | undefined, ancestors: FieldValue | undefined): boolean {
    const own = text(image);
    const above = Array.isArray(ancestors) ? ancestors.filter((a): a is string => typeof a === 'string') : [];
    return this.config.buildChain.some((entry) => (own !== undefined && entry.image(own)) || (entry.descendants && above.some((a) => entry.image(a))));
  }
}

function hooksOf(rule: Alert['rule']): Set<string> {
  const raw = (rule as { raw?: Record<string, unknown> }).raw;
  const list = raw?.tuning;
  return new Set(Array.isArray(list) ? list.filter((x): x is string => typeof x === 'string') : []);
}

function suppresses(s: Suppression, alert: Alert): boolean {
  const f = alert.event.fields;
  const rule = alert.rule;
  if (s.rule && !((rule.id !== undefined && s.rule(rule.id)) || s.rule(rule.title))) return false;
  if (s.host && !anyMatch(s.host, alert.event.host, f.Computer, f.Hostname)) return false;
  if (s.user && !anyMatch(s.user, alert.event.user, f.User)) return false;
  if (s.path && !anyMatch(s.path, f.TargetFilename, f.Image)) return false;
  if (s.command && !anyMatch(s.command, f.CommandLine)) return false;
  return true;
}

function anyMatch(match: (v: string) => boolean, ...values: Array<FieldValue | undefined>): boolean {
  return values.some((v) => typeof v === 'string' && match(v));
}

function text(v: FieldValue | undefined): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}
