/**
 * `node dist/bench/rule-load.js RULES CACHE_DIR|--no-cache`: loads the rules once, in a fresh
 * process (the JIT as cold as a scan's), and prints the load's seconds and rule count as JSON.
 * The hunt rows (hunt.ts) time the load alone with it: a command's wall time adds Node's
 * start-up and what the command does with the rules.
 */
import { loadRules, RuleCache } from '../sigma/index.js';

const [rules, cache] = process.argv.slice(2);
if (rules === undefined || cache === undefined) throw new Error('usage: rule-load.js RULES CACHE_DIR|--no-cache');
const started = performance.now();
const loaded = await loadRules([rules], {}, cache === '--no-cache' ? undefined : new RuleCache(cache));
const seconds = (performance.now() - started) / 1000;
process.stdout.write(JSON.stringify({ seconds, rules: loaded.rules.length }) + '\n');
