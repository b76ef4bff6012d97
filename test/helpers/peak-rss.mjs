// Preloaded with `node --import` into a command under test: on exit, writes the process's peak
// resident set size (kB, getrusage's ru_maxrss) to the file named by SW_PEAK_RSS_FILE.
import { writeFileSync } from 'node:fs';

process.on('exit', () => writeFileSync(process.env.SW_PEAK_RSS_FILE, String(process.resourceUsage().maxRSS)));
