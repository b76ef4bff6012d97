/** Double-quoted string literals with backslash escapes (SPL, KQL, ES|QL, EQL). */
export const dq = (s: string) => `"${s.replace(/[\\"]/g, (c) => '\\' + c)}"`;
