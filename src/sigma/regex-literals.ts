/**
 * Literal runs every match of a regular expression must contain, for the prefilter.
 * Conservative: only top-level text (no alternation at depth 0) counts; groups, classes,
 * escapes like `\d` and optional characters end a run. Returns [] when nothing is certain.
 */
export function requiredLiterals(pattern: string): string[] {
  const runs: string[] = [];
  let run = '';
  const end = () => {
    if (run) runs.push(run);
    run = '';
  };
  let depth = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      const n = pattern[i + 1];
      i++;
      if (depth === 0 && n !== undefined && /[^A-Za-z0-9]/.test(n)) run += n;
      else if (depth === 0) end();
      continue;
    }
    if (c === '[') {
      // Skip the class, honouring escapes and a leading `]`.
      let j = i + 1;
      if (pattern[j] === '^') j++;
      if (pattern[j] === ']') j++;
      while (j < pattern.length && pattern[j] !== ']') j += pattern[j] === '\\' ? 2 : 1;
      i = j;
      if (depth === 0) end();
      continue;
    }
    if (c === '(') {
      depth++;
      if (depth === 1) end();
      continue;
    }
    if (c === ')') {
      depth--;
      continue;
    }
    if (depth > 0) continue;
    if (c === '|') return [];
    const quant = c === '{' ? /^\{(\d*)(,\d*)?\}/.exec(pattern.slice(i)) : null;
    if (quant) i += quant[0].length - 1;
    if (c === '?' || c === '*' || (quant && Number(quant[1] || 0) === 0)) {
      run = run.slice(0, -1); // the previous character is optional
      end();
      continue;
    }
    if ('.^$+{}'.includes(c)) {
      end();
      continue;
    }
    run += c;
  }
  end();
  return runs;
}
