/**
 * `--config supplywatch.yaml` (docs/config.md): reading and validating the file. What it does to
 * alerts lives with them (alerts/tuning.ts), built from the validated config in every thread.
 */
export { ConfigError, parseConfig, readConfigSource, type ConfigSource } from './load.js';
