import { describe, expect, it } from 'vitest';
import { exampleCluster, validateCluster, type Cluster } from '../src';
import { checkSemantics } from '../src/semantic-check';

// image.isoMirrorUrls: where else the build may download the same ISO (Packer's iso_urls).
const withMirrors = (isoMirrorUrls: unknown): unknown => ({
  ...exampleCluster,
  image: { ...exampleCluster.image, isoMirrorUrls },
});
// Only the image's rules (the rest of the example is judged by the other suites): the schema's
// through validateCluster, the semantic ones directly.
const shape = (c: unknown) =>
  validateCluster(c)
    .filter((i) => i.path.startsWith('image'))
    .map((i) => `${i.path} ${i.rule}`);
const rules = (c: unknown) => [
  ...new Set([
    ...shape(c),
    ...checkSemantics(c as Cluster)
      .filter((i) => i.path.startsWith('image'))
      .map((i) => `${i.path} ${i.rule}`),
  ]),
];
const iso = exampleCluster.image.isoUrl;
const mirror = iso.replace('releases.example.org', 'mirror.example.net');

describe('image.isoMirrorUrls', () => {
  it('is optional, and accepts https mirrors of the same live-server ISO', () => {
    expect(rules(exampleCluster)).toEqual([]);
    expect(rules(withMirrors([mirror]) as Cluster)).toEqual([]);
  });

  it('refuses a mirror of another release or file, naming the field and the rule', () => {
    expect(rules(withMirrors([mirror.replace(/24\.04\.2/g, '24.04.1')]))).toEqual([
      'image.isoMirrorUrls[0] iso-of-release',
    ]);
    expect(rules(withMirrors([mirror, mirror.replace('live-server', 'desktop')]))).toEqual([
      'image.isoMirrorUrls[1] iso-of-release',
    ]);
  });

  it('refuses the primary URL again, plain http, duplicates and a non-list', () => {
    expect(rules(withMirrors([iso]))).toEqual(['image.isoMirrorUrls[0] iso-mirror-differs']);
    expect(shape(withMirrors([mirror.replace('https:', 'http:')]))).toEqual(['image.isoMirrorUrls[0] https-url']);
    expect(shape(withMirrors([mirror, mirror]))).not.toEqual([]);
    expect(shape(withMirrors(mirror))).not.toEqual([]);
  });
});
