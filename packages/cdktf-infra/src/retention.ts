/**
 * The bucket's retention contract, shared with the image workflow and the flashing helper
 * (through `generated/image-locations.json`). No cdktf import: projen and other packages
 * may read it without loading cdktf.
 *
 * S3 lifecycle filters match a prefix, object tags and sizes, never the absence of a tag or
 * the content of another object. So "every build but the known-good one expires" is said
 * positively: the image workflow tags every object of a dated build with `BUILD_EXPIRY_TAG`
 * when it uploads it, each node's `builds/` rule expires only objects carrying that tag, and
 * marking a build known-good removes the tag from its objects (and puts it back on the
 * previous known-good build's). An object without the tag is never expired by age.
 */
export const BUILD_EXPIRY_TAG = { key: 'lolice-retention', value: 'expire' } as const;

/** The key of a node's known-good pointer, beside its `latest/` (a small JSON object). */
export const knownGoodKey = (imagePrefix: string, node: string): string => `${imagePrefix}/${node}/known-good`;
