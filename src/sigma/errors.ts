/** Where in the rule document a problem is: a path of map keys / list indexes. */
export type YamlPath = readonly (string | number)[];

/**
 * A problem that rejects one rule. `path` locates the offending YAML node; `atKey` points at
 * the map key instead of its value; `offset` is a character offset inside a scalar (conditions).
 */
export class RuleError extends Error {
  constructor(
    message: string,
    readonly path: YamlPath = [],
    readonly atKey = false,
    readonly offset?: number,
  ) {
    super(message);
  }
}
