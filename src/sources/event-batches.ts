import type { NormalizedEvent } from '../events/event.js';
import type { BadRecord, ReadContext } from './reader.js';

/**
 * Events per batch, for every reader. A batch's events stay alive until it is detected, so this
 * bounds what each young-generation GC has to copy: 1,000 events outlived most scavenges of a
 * worker's small young generation and got promoted; with 128 they die young
 * (docs/performance.md#128-event-batches).
 */
export const BATCH_SIZE = 128;

/**
 * What a reader does with each record it maps: an event joins the batch, a string is the reason
 * the record is bad (reported where it is), null is a record that holds no event and loses none
 * (a search message, a separator). `add` hands back a full batch to yield; `rest` the last one.
 */
export class EventBatches {
  private batch: NormalizedEvent[] = [];

  constructor(private readonly ctx: ReadContext) {}

  add(outcome: NormalizedEvent | string | null | undefined, where: Omit<BadRecord, 'reason'>): NormalizedEvent[] | undefined {
    if (outcome === null || outcome === undefined) return undefined;
    if (typeof outcome === 'string') {
      this.ctx.bad({ ...where, reason: outcome });
      return undefined;
    }
    this.batch.push(outcome);
    if (this.batch.length < BATCH_SIZE) return undefined;
    const full = this.batch;
    this.batch = [];
    return full;
  }

  /** The events not yet handed back, if any. */
  rest(): NormalizedEvent[] | undefined {
    const rest = this.batch;
    this.batch = [];
    return rest.length > 0 ? rest : undefined;
  }
}
