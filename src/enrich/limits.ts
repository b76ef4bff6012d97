/** Memory and time bounds of the enrichment state (documented in docs/enrichment.md). */
export const LIMITS = {
  /** Processes kept for lookup, all hosts together; the oldest started is evicted first. */
  maxProcesses: 100_000,
  /** Ancestors walked per event (nearest first). */
  maxDepth: 32,
  /** An exited process stays resolvable this long (events of it and its children arrive late). */
  exitGraceMs: 2 * 60_000,
  /** Out-of-order tolerance: a record may arrive this much (event time) after records that depend on it. */
  reorderMs: 60_000,
  /** pid keys: a parent may be stamped this much after its child and still be its parent. */
  pidSkewMs: 5_000,
  /** Children waiting for a parent that has not been seen yet, all hosts together. */
  maxOrphans: 10_000,
  /** A DNS answer maps its addresses back to the name for this long (event time). */
  dnsTtlMs: 60 * 60_000,
  /** IP → name entries, all hosts together; the least recently answered is evicted first. */
  maxDnsEntries: 100_000,
};

export type Limits = typeof LIMITS;
