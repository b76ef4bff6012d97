/** Small, allocation-light helpers to read process images and command lines of any OS. */

/** Lower-case basename of a Windows or POSIX path, without .exe/.cmd/.bat/.ps1. */
export function programName(path: string | undefined): string {
  if (!path) return '';
  const cut = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  const base = (cut === -1 ? path : path.slice(cut + 1)).toLowerCase();
  const dot = base.length - 4;
  if (dot > 0 && base.charCodeAt(dot) === 46 /* . */) {
    const ext = base.slice(dot + 1);
    if (ext === 'exe' || ext === 'cmd' || ext === 'bat' || ext === 'ps1') return base.slice(0, dot);
  }
  return base;
}

/**
 * Splits a command line into arguments: whitespace separates, double and single quotes group
 * (Windows quoting and POSIX shells differ in details that do not matter for recognizing
 * package-manager invocations). Bounded to the first `max` arguments.
 */
export function splitArgs(commandLine: string | undefined, max = 16): string[] {
  const out: string[] = [];
  if (!commandLine) return out;
  let cur = '';
  let quote = '';
  let has = false;
  for (const ch of commandLine) {
    if (quote) {
      if (ch === quote) quote = '';
      else cur += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      has = true;
    } else if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
      if (has || cur) {
        out.push(cur);
        if (out.length >= max) return out;
      }
      cur = '';
      has = false;
    } else cur += ch;
  }
  if (has || cur) out.push(cur);
  return out;
}

/** Path segments of a Windows or POSIX path, empty segments dropped. */
export function pathSegments(path: string): string[] {
  return path.split(/[\\/]+/).filter((s) => s !== '');
}
