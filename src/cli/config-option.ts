import { parseTuning } from '../alerts/tuning.js';
import { readConfigSource, type ConfigSource } from '../config/index.js';
import { terminalSafe } from '../outputs/escape.js';

/**
 * `--config FILE`, read and validated (throws ConfigError, a usage error, listing every problem
 * at file:line:column), its expired suppressions named: they no longer apply, and saying so is
 * what gets them revisited. Apart from options.ts: `run` loads the configuration modules only
 * when a file is given (its command waits for the options to be checked).
 */
export function readConfig(file: string | undefined, now: number): ConfigSource | undefined {
  if (file === undefined) return undefined;
  const config = readConfigSource(file);
  for (const s of parseTuning(config, now).expired) process.stderr.write(`${terminalSafe(`${config.file}:${s.line}: suppression expired on ${s.expiresText}; ignored`)}\n`);
  return config;
}
