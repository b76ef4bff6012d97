/**
 * Untrusted text (command lines, paths, host names) must never drive the reader's terminal.
 * C0/C1 controls, DEL and the Unicode bidi/line-separator characters (Trojan Source tricks)
 * are shown as visible escapes instead.
 */
const TERMINAL_UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

export function terminalSafe(text: string): string {
  return text.replace(TERMINAL_UNSAFE, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

/** JSON.stringify escapes C0 controls; this also escapes C1, DEL and bidi characters (still valid JSON). */
const JSON_EXTRA_UNSAFE = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

export function safeJson(value: unknown): string {
  return JSON.stringify(value).replace(JSON_EXTRA_UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** RFC 4180: quote a field holding a comma, quote, CR or LF, doubling inner quotes. NULL is empty. */
export function csvField(value: string | null): string {
  if (value === null) return '';
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function csvRow(values: Array<string | null>): string {
  return values.map(csvField).join(',') + '\r\n';
}
