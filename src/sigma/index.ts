/** Sigma rule engine: load rules, compile them to matchers, index them by logsource. */
export type { CompiledRule } from './rule.js';
export type { LoadResult, RuleProblem } from './yaml-loader.js';
export { loadRules, loadRulesFromText } from './yaml-loader.js';
export { RuleIndex } from './logsource-index.js';
