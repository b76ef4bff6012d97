import type { Alert } from '../alerts/alert.js';

type Rule = Alert['rule'];

/**
 * The part of a formatted alert that depends on its rule only (CEF and LEEF headers, the JSONL
 * rule object), made at the rule's first alert and reused for the next ones. Weak: a config's
 * level override gives each of its alerts a rule object of its own (tuning.ts).
 */
export function perRule(make: (rule: Rule) => string): (rule: Rule) => string {
  const made = new WeakMap<Rule, string>();
  return (rule) => {
    let text = made.get(rule);
    if (text === undefined) {
      text = make(rule);
      made.set(rule, text);
    }
    return text;
  };
}
