/**
 * An alert after formatting: all the main thread needs to order, limit, count and print it.
 * Worker threads send these instead of events, so the main thread never re-serializes events.
 */
export interface FormattedAlert {
  /** Input position (stable tie-break for ordering); increases in input order. */
  seq: number;
  time?: number;
  /** Rule id, or title when the rule has none: the key of the per-rule summary. */
  rule: string;
  title: string;
  text: string;
}
