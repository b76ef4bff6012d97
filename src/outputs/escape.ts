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

/**
 * What a CSV cell may not carry by default, beyond terminalSafe's set: everything terminalSafe
 * escapes except LF, tab and the CR of a CRLF, which RFC 4180 quoting carries and which cannot
 * drive a terminal (a lone CR can: it moves back over the line already printed).
 */
const CSV_UNSAFE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]|\r(?!\n)/g;
/** A cell a spreadsheet would evaluate (OWASP "CSV injection"): it starts with one of these. */
const FORMULA_START = /^[=+\-@\t\r]/;
/** ... unless it is a plain number (`-2`, `+1.5e3`), which no spreadsheet runs. */
const PLAIN_NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * One CSV cell made safe to open and to print: a cell that a spreadsheet would run as a formula
 * gets a leading `'` (OWASP's advice; spreadsheets then show it as text), and controls that could
 * drive a terminal (ESC, OSC/CSI, BEL, C1, bidi, lone CR) are shown as visible escapes like
 * terminalSafe's.
 */
export function csvCell(value: string): string {
  const neutral = FORMULA_START.test(value) && !PLAIN_NUMBER.test(value) ? `'${value}` : value;
  return neutral.replace(CSV_UNSAFE, (c) => (c === '\r' ? '\\r' : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}

/** RFC 4180: quote a field holding a comma, quote, CR or LF, doubling inner quotes. NULL is empty. */
export function rawCsvField(value: string | null): string {
  if (value === null) return '';
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** A CSV field of a safe cell (csvCell). */
export function csvField(value: string | null): string {
  return rawCsvField(value === null ? null : csvCell(value));
}

/** One CSV line (CRLF) of safe cells: the default of every CSV output. */
export function csvRow(values: Array<string | null>): string {
  return values.map((v) => csvField(v)).join(',') + '\r\n';
}

/**
 * One CSV line with every cell's exact bytes, as QRadar prints them (`--csv-raw`, for the seed
 * reproduction): its output must not reach a terminal or a spreadsheet unreviewed.
 */
export function rawCsvRow(values: Array<string | null>): string {
  return values.map((v) => rawCsvField(v)).join(',') + '\r\n';
}
