import {
  buildFiles,
  BUILD_EXPIRY_TAG,
  imageWorkerNodes,
  knownGoodKey,
  s3BuildPrefix,
  s3LatestPrefix,
  type Cluster,
} from '@lolice/node-model';
import { ATTESTATION_BUNDLE, signerWorkflow } from './settings';

/**
 * Where the image workflow publishes the worker images, as `scripts/flash-image.sh` reads it
 * (`generated/image-locations.json`): the model's bucket and node-model's key layout, and how
 * the workflow tags and attests each build.
 */
export interface ImageLocations {
  /** S3 bucket of the images (`aws.bucket`). */
  readonly bucket: string;
  /** Region of that bucket (`aws.region`). */
  readonly region: string;
  /** Key prefix; a node's images are under `<prefix>/<node>/latest/` and `<prefix>/<node>/builds/<YYYYMMDD>-<sha7>/`. */
  readonly prefix: string;
  /** The x86_64 workers an image is built for, in model order. */
  readonly nodes: readonly string[];
  /** The bucket's key layout (node-model's), with `{prefix}`, `{node}` and `{build}` to fill in. */
  readonly keys: { readonly latest: string; readonly build: string; readonly knownGood: string };
  /** The files of a build under its keys, with `{node}` to fill in (node-model's `buildFiles`). */
  readonly files: readonly string[];
  /** The tag the bucket's lifecycle expires dated builds by; marking a build known-good removes it from its objects. */
  readonly expiryTag: { readonly key: string; readonly value: string };
  /**
   * The GitHub artifact attestation of each build, for `gh attestation verify FILE --bundle
   * <build key><bundle> --repo <repository> --signer-workflow <signerWorkflow>`.
   */
  readonly attestation: { readonly bundle: string; readonly repository: string; readonly signerWorkflow: string };
}

/** Pure: the image locations of a cluster. */
export function renderImageLocations(cluster: Cluster): ImageLocations {
  return {
    bucket: cluster.aws.bucket,
    region: cluster.aws.region,
    prefix: cluster.aws.imagePrefix,
    nodes: imageWorkerNodes(cluster).map((n) => n.name),
    keys: {
      latest: s3LatestPrefix('{prefix}', '{node}'),
      build: s3BuildPrefix('{prefix}', '{node}', '{build}'),
      knownGood: knownGoodKey('{prefix}', '{node}'),
    },
    files: [...buildFiles('{node}')],
    expiryTag: { ...BUILD_EXPIRY_TAG },
    attestation: {
      bundle: ATTESTATION_BUNDLE,
      repository: cluster.aws.repository,
      signerWorkflow: signerWorkflow(cluster.aws.repository),
    },
  };
}
