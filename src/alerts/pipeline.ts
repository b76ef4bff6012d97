import type { ConfigSource } from '../config/index.js';
import { Enricher, type EnricherSnapshot } from '../enrich/enricher.js';
import type { StateRecord } from '../enrich/records.js';
import type { NormalizedEvent } from '../events/event.js';
import type { Alert } from './alert.js';
import { addContext } from './context.js';
import { Correlator, Detector, type CorrelationMatch, type CorrelatorSnapshot } from './detector.js';
import { enrichmentNeeded } from './enrichment-needed.js';
import type { Pack } from './pack.js';
import { TunedDetector } from './tuned-detector.js';
import { parseTuning, type Tuning } from './tuning.js';

/** What decides how an event becomes alerts, as plain data (worker threads receive it). */
export interface PipelineSpec {
  /** `--config`, read and validated once by the command. */
  config?: ConfigSource;
  /** The time `now` means: suppression expiry is checked against it. */
  now: number;
  /**
   * A long-running command (stream, watch) without `--now`: a suppression expires when the
   * clock passes its date, not only if it had passed at the start.
   */
  liveClock?: boolean;
  /** Exclusive lower bound of the time window (`--since`), epoch ms. */
  windowAfter?: number;
}

/**
 * The one place where an event becomes alerts: enrich → time window → detect (tuned when a
 * config is given) → investigation context. Every consumer — scan on one thread or many, run,
 * eval — feeds events through one of these in input order, and calls `finish` at the end.
 */
export class EventPipeline {
  readonly detector: Detector;
  /** Present when some loaded rule reads a field the enrichment writes (enrichment-needed.ts). */
  readonly enricher: Enricher | undefined;
  readonly tuning: Tuning | undefined;
  private readonly windowAfter: number | undefined;
  /** Events dropped by the time window. */
  outsideWindow = 0;

  constructor(readonly packs: Pack[], spec: PipelineSpec) {
    this.tuning = spec.config ? parseTuning(spec.config, spec.now, spec.liveClock) : undefined;
    this.detector = this.tuning ? new TunedDetector(packs, this.tuning) : new Detector(packs);
    this.enricher = enrichmentNeeded(packs) ? new Enricher() : undefined;
    this.windowAfter = spec.windowAfter;
  }

  /**
   * Appends the event's alerts to `out`. Matches of rules that correlations name go to `matches`
   * when given (a worker thread: the main thread correlates them with `correlate`), else they
   * are correlated here. Returns false when the event is outside the time window.
   */
  process(event: NormalizedEvent, seq: number, out: Alert[], matches?: CorrelationMatch[]): boolean {
    // Every event, inside the window or not: a process tree needs the processes started before it.
    this.enricher?.enrich(event);
    const after = this.windowAfter;
    if (after !== undefined && !(event.time !== undefined && event.time > after)) {
      this.outsideWindow += 1;
      return false;
    }
    const before = out.length;
    this.detector.detect(event, seq, out, matches);
    addContext(out, before, this.enricher, event);
    return true;
  }

  /** The enrichment state of events another thread read before this one's (parallel/state-relay.ts). */
  applyState(record: StateRecord): void {
    this.enricher?.apply(record);
  }

  /** End of input: correlation windows still open are decided. */
  finish(out: Alert[]): void {
    this.detector.finish(out);
  }

  /**
   * Everything the next events' alerts depend on, as plain JSON data: enrichment state and the
   * open correlation windows (a streaming worker checkpoints it: src/stream/checkpoint.ts).
   */
  snapshot(): PipelineSnapshot {
    return { enrichment: this.enricher?.snapshot(), correlations: this.detector.snapshot() };
  }

  /** Continues from a snapshot: the same alerts follow as after the events it reflects. */
  restore(snapshot: PipelineSnapshot): void {
    if (snapshot.enrichment) this.enricher?.restore(snapshot.enrichment);
    this.detector.restore(snapshot.correlations);
  }
}

export interface PipelineSnapshot {
  /** Absent when no loaded rule reads an enriched field. */
  enrichment?: EnricherSnapshot;
  correlations: CorrelatorSnapshot;
}

/**
 * The correlation half of a pipeline whose events were detected elsewhere (worker threads send
 * their matches): correlation alerts are tuned exactly as a one-thread pipeline tunes them.
 */
export class MatchCorrelator {
  private readonly correlator: Correlator;
  private readonly tuning: Tuning | undefined;

  constructor(packs: Pack[], spec: PipelineSpec) {
    this.correlator = new Correlator(packs);
    this.tuning = spec.config ? parseTuning(spec.config, spec.now, spec.liveClock) : undefined;
  }

  correlate(matches: readonly CorrelationMatch[], out: Alert[]): void {
    const from = out.length;
    this.correlator.correlate(matches, out);
    this.tuning?.applyFrom(out, from);
  }

  finish(out: Alert[]): void {
    const from = out.length;
    this.correlator.finish(out);
    this.tuning?.applyFrom(out, from);
  }
}
