/** Sigma correlation rules: model, resolution of references, streaming evaluation. */
export { CorrelationRule, MAX_EVENTS_PER_GROUP, type CorrelationInputRule, type CorrelationType } from './correlation-rule.js';
export { resolveCorrelations, silentRules } from './resolve.js';
export { CorrelationEngine, MAX_GROUPS, MAX_LISTED, type CorrelationHit, type CorrelationInput } from './engine.js';
export type { EventRef } from './window.js';
