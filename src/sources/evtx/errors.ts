/** A structural problem in EVTX data; the reader turns it into a bad record at `offset` and goes on. */
export class EvtxError extends Error {
  constructor(
    message: string,
    /** Chunk-relative offset where the problem was found, when known. */
    readonly at?: number,
  ) {
    super(message);
  }
}

/** Throws unless `[at, at + size)` lies within `[0, limit)`: every read goes through here first. */
export function need(at: number, size: number, limit: number, what: string): void {
  if (at < 0 || size < 0 || at + size > limit) throw new EvtxError(`${what} at ${at} runs past the end of its data (${limit})`, at);
}
