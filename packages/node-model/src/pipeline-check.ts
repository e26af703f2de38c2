import type { ValidationIssue } from './errors';
import { EXAMPLE_BUILD_ID, IMAGE_ARCH, S3_MAX_KEY_BYTES, s3NodeKeys } from './paths';
import { workers } from './query';
import type { Cluster } from './types';

const bytes = (s: string): number => new TextEncoder().encode(s).length;

/**
 * Every worker is built by the image pipeline, which builds IMAGE_ARCH only: a worker on a
 * profile of another architecture would silently have no image and no hardware facts. When no
 * worker is buildable, one issue says so.
 */
function checkWorkerArch(c: Cluster): ValidationIssue[] {
  const all = workers(c);
  const foreign = all.filter(
    (n) => Object.hasOwn(c.hardware, n.hardware) && c.hardware[n.hardware].arch !== IMAGE_ARCH,
  );
  if (all.length > 0 && foreign.length === all.length) {
    const profiles = [...new Set(foreign.map((n) => `${n.hardware} (${c.hardware[n.hardware].arch})`))].join(', ');
    return [
      {
        path: 'nodes',
        rule: 'has-image-worker',
        message: `no worker is on an ${IMAGE_ARCH} profile, the only architecture the image pipeline builds (profiles in use: ${profiles})`,
      },
    ];
  }
  return foreign.map((n) => ({
    path: `nodes[${c.nodes.indexOf(n)}].hardware`,
    rule: 'image-arch',
    message: `worker ${n.name} is on ${n.hardware}, an ${c.hardware[n.hardware].arch} profile: the image pipeline builds only ${IMAGE_ARCH} workers`,
  }));
}

/** The longest key the S3 layout gives any worker's objects fits S3's 1,024 bytes. */
function checkS3Keys(c: Cluster): ValidationIssue[] {
  const keys = workers(c).flatMap((n) => s3NodeKeys(c.aws.imagePrefix, n.name).map((key) => ({ key, node: n.name })));
  const longest = keys.reduce((a, b) => (bytes(b.key) > bytes(a.key) ? b : a), { key: '', node: '' });
  if (bytes(longest.key) <= S3_MAX_KEY_BYTES) return [];
  const file = longest.key.slice(longest.key.lastIndexOf('/') + 1);
  return [
    {
      path: 'aws.imagePrefix',
      rule: 's3-key-length',
      message: `makes S3 keys of up to ${bytes(longest.key)} bytes (${longest.node}'s ${file} of a build ${EXAMPLE_BUILD_ID}); S3 allows ${S3_MAX_KEY_BYTES}`,
    },
  ];
}

/** What the image pipeline can build and store: the workers' architecture, the S3 keys. */
export function checkPipeline(c: Cluster): ValidationIssue[] {
  return [...checkWorkerArch(c), ...checkS3Keys(c)];
}
