/** `1 event`, `2 events`: a count with its noun, for summaries people read. */
export function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}
