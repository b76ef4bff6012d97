import type { NormalizedEvent } from '../events/event.js';
import { RuleIndex } from '../sigma/index.js';
import type { Alert } from './alert.js';
import type { Pack } from './pack.js';

/** Runs every pack's rules on an event and applies each pack's selection policy. */
export class Detector {
  private readonly indexed: Array<{ pack: Pack; index: RuleIndex }>;

  constructor(packs: Pack[]) {
    this.indexed = packs.map((pack) => ({ pack, index: new RuleIndex(pack.rules) }));
  }

  detect(event: NormalizedEvent, seq: number, out: Alert[]): void {
    for (const { pack, index } of this.indexed) {
      const matched = index.match(event);
      if (matched.length === 0) continue;
      // first-match mirrors SQL CASE: the first rule in pack order decides the row.
      const chosen = pack.selection === 'first-match' ? matched.slice(0, 1) : matched;
      for (const rule of chosen) {
        out.push({ seq, pack, rule, label: (rule.id && pack.labels.get(rule.id)) || '', event });
      }
    }
  }
}
