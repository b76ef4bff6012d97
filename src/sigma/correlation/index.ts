/** Sigma correlation rules: model, resolution of references, streaming evaluation. */
export { CorrelationRule, type CorrelationInputRule } from './correlation-rule.js';
export { resolveCorrelations, silentRules } from './resolve.js';
export { CorrelationEngine, type CorrelationHit, type CorrelationStateSnapshot } from './engine.js';
export type { EventRef } from './window.js';
