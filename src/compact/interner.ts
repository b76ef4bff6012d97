import { copy } from './text-store.js';

/**
 * Strings that repeat across processes (hosts, images, working directories) to small ids, each
 * held while something refers to it: a string is copied once and dropped with its last reference,
 * so the maps hold at most one string per referrer (the auditd reader's process table uses it too).
 */
export class Interner {
  private readonly ids = new Map<string, number>();
  private readonly texts: (string | undefined)[] = [];
  private readonly refs: number[] = [];
  private readonly free: number[] = [];

  lookup(text: string): number | undefined {
    return this.ids.get(text);
  }

  text(id: number): string {
    return this.texts[id]!;
  }

  acquire(text: string): number {
    let id = this.ids.get(text);
    if (id !== undefined) {
      this.refs[id]!++;
      return id;
    }
    const own = copy(text);
    id = this.free.pop() ?? this.texts.length;
    this.texts[id] = own;
    this.refs[id] = 1;
    this.ids.set(own, id);
    return id;
  }

  /** Another reference to an id already held. */
  retain(id: number): void {
    this.refs[id]!++;
  }

  release(id: number): void {
    if (--this.refs[id]! > 0) return;
    this.ids.delete(this.texts[id]!);
    this.texts[id] = undefined;
    this.free.push(id);
  }

  /** Distinct strings held. */
  get size(): number {
    return this.ids.size;
  }
}
