/** The validated `supplywatch.yaml` (docs/config.md): what the tuning layer applies to alerts. */
import type { Matcher } from './glob.js';
import type { HostAllowlist } from './hosts.js';

export const LEVELS = ['informational', 'low', 'medium', 'high', 'critical'] as const;
export type Level = (typeof LEVELS)[number];

/** A problem in the config file, at file:line:column. */
export interface ConfigProblem {
  file: string;
  line: number;
  column: number;
  reason: string;
}

export interface Mirror {
  url: string;
  host: string;
  /** Declared with http://: plain-HTTP use of this mirror is accepted. */
  http: boolean;
}

export interface BuildChainEntry {
  pattern: string;
  image: Matcher;
  /** Also silence processes below this image (matched against AncestorImages). */
  descendants: boolean;
}

export interface Suppression {
  /** Where it is written, for reports ("supplywatch.yaml:41"). */
  line: number;
  rule?: Matcher;
  host?: Matcher;
  user?: Matcher;
  path?: Matcher;
  command?: Matcher;
  /** End of the expiry day, UTC epoch ms: the suppression applies while now < expires. */
  expires: number;
  expiresText: string;
  reason?: string;
}

export interface SupplywatchConfig {
  file: string;
  mirrors: Mirror[];
  /** Mirror hosts and extra allowed hosts, names, IPs and CIDR ranges. */
  allowed: HostAllowlist;
  bots: Array<{ pattern: string; match: Matcher }>;
  buildChain: BuildChainEntry[];
  suppressions: Suppression[];
  /** Rule id (lower-case) → level. */
  levels: Map<string, Level>;
}
