/**
 * Case-insensitive wildcard patterns for tuning entries: `*` any run of characters, `?` one
 * character, everything else literal (backslashes included, so Windows paths need no escaping).
 * Compiled to a linear-time matcher: config text never reaches a backtracking RegExp.
 */
export type Matcher = (value: string) => boolean;

export function compileGlob(pattern: string): Matcher {
  const parts = pattern.toLowerCase().split('*');
  if (parts.length === 1) return (v) => sameWithQ(v.toLowerCase(), parts[0]!);
  const first = parts[0]!;
  const last = parts[parts.length - 1]!;
  const middle = parts.slice(1, -1);
  return (value) => {
    const v = value.toLowerCase();
    if (v.length < first.length + last.length) return false;
    if (!sameWithQ(v.slice(0, first.length), first)) return false;
    if (!sameWithQ(v.slice(v.length - last.length), last)) return false;
    let at = first.length;
    const end = v.length - last.length;
    for (const part of middle) {
      const found = indexWithQ(v, part, at, end);
      if (found === -1) return false;
      at = found + part.length;
    }
    return true;
  };
}

function sameWithQ(text: string, pattern: string): boolean {
  if (text.length !== pattern.length) return false;
  for (let i = 0; i < pattern.length; i += 1) {
    if (pattern[i] !== '?' && pattern[i] !== text[i]) return false;
  }
  return true;
}

/** First position in [from, end - part.length] where `part` (with `?`) matches. */
function indexWithQ(text: string, part: string, from: number, end: number): number {
  if (!part.includes('?')) {
    const i = text.indexOf(part, from);
    return i !== -1 && i + part.length <= end ? i : -1;
  }
  for (let i = from; i + part.length <= end; i += 1) {
    if (sameWithQ(text.slice(i, i + part.length), part)) return i;
  }
  return -1;
}
