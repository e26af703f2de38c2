/** One broken rule: where in the model, which rule, and what is wrong. */
export interface ValidationIssue {
  /** Field path in the model, e.g. `nodes[3].ip`. */
  readonly path: string;
  /** Name of the rule that was broken, e.g. `ip-in-subnet`. */
  readonly rule: string;
  readonly message: string;
}

/** Thrown when the cluster model breaks one or more rules. */
export class ModelValidationError extends Error {
  constructor(readonly issues: readonly ValidationIssue[]) {
    super(
      `The cluster model is invalid (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n` +
        issues.map((i) => `  - ${i.path}: ${i.message} [rule: ${i.rule}]`).join('\n'),
    );
    this.name = 'ModelValidationError';
  }
}
