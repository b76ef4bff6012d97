import type { PipelineSpec } from '../alerts/pipeline.js';
import type { OutputSpec } from '../outputs/formats.js';
import type { OutputTarget } from '../outputs/targets.js';

/**
 * A scan, decided: the command line and the config file parsed and validated once (cli/scan.ts
 * makes it). Everything here is plain data, so worker threads receive what they need of it
 * as it is, and a scan depends on nothing else (no clock, no second read of a file).
 */
export interface ScanPlan {
  /** Files, folders or `-` for stdin. */
  inputs: string[];
  /** Forced input format (a reader's name), instead of sniffing each input. */
  inputFormat?: string;
  /** Pack names and rule files or folders (at least one). */
  rules: string[];
  /** The rule cache's folder (sigma/rule-cache.ts); undefined: `--no-cache`, every rule file parsed. */
  ruleCache?: string;
  /** Tuning, `now` and time window. */
  pipeline: PipelineSpec;
  /** At most this many alerts, after a pack's ORDER BY. */
  limit?: number;
  /** How each alert is formatted: stdout's format, or with `outputs` every output's (multiplex). */
  output: OutputSpec;
  /** `--output FORMAT:DESTINATION` (and a document format given to --format): where alerts go instead of the stdout stream. */
  outputs?: OutputTarget[];
  /** `--threads N`; undefined: decided from the inputs (parallel/threads.ts). */
  threads?: number;
  /** No summary or progress on stderr (inputs that cannot be read are still named). */
  quiet: boolean;
  /** Bad records make the exit status 2, as unreadable inputs do. */
  strict: boolean;
}
