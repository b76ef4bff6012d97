/**
 * The output formats' names, apart from their formatters (formats.ts): options are checked with
 * these before a command starts (`run`: the command waits for the check), without loading every
 * formatter.
 */
export const OUTPUT_FORMAT_NAMES = ['table', 'jsonl', 'csv', 'leef', 'cef', 'sarif', 'github', 'summary', 'ecs', 'hec', 'html'] as const;

export type OutputFormatName = (typeof OUTPUT_FORMAT_NAMES)[number];

export function isOutputFormat(name: string): name is OutputFormatName {
  return (OUTPUT_FORMAT_NAMES as readonly string[]).includes(name);
}
