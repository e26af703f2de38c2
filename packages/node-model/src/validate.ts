import { ModelValidationError, type ValidationIssue } from './errors';
import { checkShape } from './schema-check';
import { checkSemantics } from './semantic-check';
import type { Cluster } from './types';

/**
 * A consumer's limits on a model that is valid in itself: what a generator makes of it (a policy,
 * a job matrix) checked against what the consumer (IAM, GitHub) accepts, as issues naming a
 * field of the model, the rule, the limit and the number.
 */
export type ConsumerCheck = (c: Cluster) => ValidationIssue[];

/**
 * Every broken rule of a candidate model; empty when the model is valid. The schema first, the
 * rules across fields on a well-formed model, the consumers' checks on a valid one.
 */
export function validateCluster(value: unknown, consumers: readonly ConsumerCheck[] = []): ValidationIssue[] {
  const shape = checkShape(value);
  if (!shape.ok) return shape.issues;
  const issues = checkSemantics(shape.cluster);
  return issues.length > 0 ? issues : consumers.flatMap((check) => check(shape.cluster));
}

/** Returns the model typed as a Cluster, or throws a ModelValidationError naming each field and rule. */
export function assertValidCluster(value: unknown, consumers: readonly ConsumerCheck[] = []): Cluster {
  const issues = validateCluster(value, consumers);
  if (issues.length > 0) throw new ModelValidationError(issues);
  return value as Cluster;
}
