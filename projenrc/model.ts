import { assertValidCluster, lolice, ModelValidationError, type Cluster } from '@lolice/node-model';

/**
 * The validated lolice model. On an invalid model this prints every broken
 * rule and exits non-zero before projen has created a single file object,
 * so nothing in the tree changes.
 */
export function loadCluster(model: unknown = lolice): Cluster {
  try {
    return assertValidCluster(model);
  } catch (error) {
    if (!(error instanceof ModelValidationError)) throw error;
    process.stderr.write(`${error.message}\nNothing was written. Fix packages/node-model/src/lolice.ts and run "npx projen" again.\n`);
    process.exit(1);
  }
}
