import {
  buildFiles,
  BUILD_EXPIRY_TAG,
  imageWorkerNodes,
  knownGoodKey,
  s3BuildPrefix,
  s3LatestPrefix,
  type Cluster,
} from '@lolice/node-model';
import { publishRef } from './build-steps';
import { ATTESTATION_BUNDLE, PROVENANCE_PREDICATE_TYPE, signerIdentity } from './settings';

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
   * The GitHub artifact attestation of each build, as `flash-image.sh` verifies it: `gh attestation
   * verify <copy> --bundle <copy of the build's bundle> --repo <repository> --cert-identity
   * <signerIdentity> --source-ref <sourceRef> --predicate-type <predicateType>
   * --deny-self-hosted-runners --format json`, then the same fields in gh's JSON result.
   */
  readonly attestation: {
    /** Name of the Sigstore bundle beside the files of a build. */
    readonly bundle: string;
    /** The model's repository (`aws.repository`), `owner/name`. */
    readonly repository: string;
    /** The certificate's Subject Alternative Name: the image workflow of `repository`, run on `sourceRef`. */
    readonly signerIdentity: string;
    /** The only ref whose runs attest and publish: `refs/heads/<aws.branch>`. */
    readonly sourceRef: string;
    /** The predicate type of the attestation (SLSA build provenance v1). */
    readonly predicateType: string;
  };
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
      signerIdentity: signerIdentity(cluster.aws.repository, publishRef(cluster)),
      sourceRef: publishRef(cluster),
      predicateType: PROVENANCE_PREDICATE_TYPE,
    },
  };
}
