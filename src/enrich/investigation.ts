/**
 * Investigation context for alerts: the ancestry chain of the alerting process, and the recent
 * network connections and file writes of the same install subtree (everything below the
 * package-manager process that started the install), so an analyst sees "npm → sh → curl, then
 * curl connected to x, wrote y" without opening another tool.
 *
 * Activity is recorded through state records (records.ts), so worker threads hold the same
 * buffers as a single thread (src/parallel/state-relay.ts). Bounded: ACTIVITY_PER_INSTALL most
 * recent entries per install, MAX_INSTALLS installs (oldest first out).
 */
import type { Activity } from './records.js';

export const ACTIVITY_PER_INSTALL = 20;
export const MAX_INSTALLS = 10_000;

/** One ancestor (or the process itself) as printed in an alert. */
export interface ChainEntry {
  image?: string;
  commandLine?: string;
  pid?: number;
  /** Process start, ISO 8601. */
  time?: string;
}

export interface RelatedActivity {
  time?: string;
  category: string;
  image?: string;
  target?: string;
  source: string;
}

export interface InvestigationContext {
  /** The process, then its ancestors, nearest first. */
  ancestry: ChainEntry[];
  /** The package-manager process whose install subtree this is, if any. */
  install?: ChainEntry;
  /** Network and file activity of that install subtree up to this event, oldest first. */
  related: RelatedActivity[];
}

export class InstallActivity {
  private readonly byInstall = new Map<string, RelatedActivity[]>();

  add(installKey: string, rec: Activity, target: string | undefined): void {
    let list = this.byInstall.get(installKey);
    if (!list) {
      if (this.byInstall.size >= MAX_INSTALLS) this.byInstall.delete(this.byInstall.keys().next().value!);
      this.byInstall.set(installKey, (list = []));
    }
    list.push({ time: isoTime(rec.time), category: rec.category, image: rec.image, target, source: rec.where });
    if (list.length > ACTIVITY_PER_INSTALL) list.shift();
  }

  /** The buffers as plain data, oldest install first (a checkpoint: src/stream/checkpoint.ts). */
  snapshot(): Array<[string, RelatedActivity[]]> {
    return [...this.byInstall].map(([key, list]) => [key, [...list]]);
  }

  restore(entries: Array<[string, RelatedActivity[]]>): void {
    this.byInstall.clear();
    for (const [key, list] of entries) this.byInstall.set(key, [...list]);
  }

  recent(installKey: string): RelatedActivity[] {
    return [...(this.byInstall.get(installKey) ?? [])];
  }
}

export function isoTime(time: number | undefined): string | undefined {
  return time === undefined ? undefined : new Date(time).toISOString();
}
