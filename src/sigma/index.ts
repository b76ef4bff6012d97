/** Sigma rule engine: load rules, compile them to matchers, index them by logsource. */
export type { CompiledRule } from './rule.js';
export type { FileShare, LoadHooks, LoadResult, PlainRuleDocument, RuleProblem } from './yaml-loader.js';
export { loadRules, loadRulesFromText, PLAYBOOK_FOLDER, readPlainRules } from './yaml-loader.js';
export { PACK_MANIFEST } from './pack-manifest.js';
export { RuleCache, ruleFileDigest } from './rule-cache.js';
export { keepAutomataIn } from './automaton-cache.js';
export { RuleIndex } from './logsource-index.js';
export { SigmaRule } from './rule.js';
export { resolveCorrelations } from './correlation/resolve.js';
export { CorrelationEngine, CorrelationRule, silentRules, type CorrelationHit, type CorrelationInputRule, type CorrelationStateSnapshot, type EventRef } from './correlation/index.js';
