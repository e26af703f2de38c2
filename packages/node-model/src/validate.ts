import { ModelValidationError, type ValidationIssue } from './errors';
import { checkShape } from './schema-check';
import { checkSemantics } from './semantic-check';
import type { Cluster } from './types';

/** Every broken rule of a candidate model; empty when the model is valid. */
export function validateCluster(value: unknown): ValidationIssue[] {
  const shape = checkShape(value);
  return shape.ok ? checkSemantics(shape.cluster) : shape.issues;
}

/** Returns the model typed as a Cluster, or throws a ModelValidationError naming each field and rule. */
export function assertValidCluster(value: unknown): Cluster {
  const issues = validateCluster(value);
  if (issues.length > 0) throw new ModelValidationError(issues);
  return value as Cluster;
}
