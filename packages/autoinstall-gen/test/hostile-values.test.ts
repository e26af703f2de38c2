import { describe, expect, it } from 'vitest';
import { exampleCluster as example } from '@lolice/node-model';
import { variant } from '../../../test/lib/model';
import { readAllByPyYaml, readByYamlLibrary, YAML_MISREAD } from '../../../test/lib/yaml-readers';
import { render, renderTemplate, TEMPLATE_VARS } from '../src';
import { opensslCryptHash } from './lib/fixtures';

/**
 * Subiquity and cloud-init read the user-data with PyYAML (YAML 1.1): GIVEN an admin user, a
 * hostname and a cluster name that YAML 1.1 or 1.2 would read as something else (not a valid
 * model: the generator must hold up on its own), WHEN the user-data is served, THEN the installer
 * reads the same strings.
 */
const hash = opensslCryptHash();
const served = YAML_MISREAD.map((word) => {
  const files = render(variant(example, (c) => ((c.admin.user = word), (c.name = word))));
  const userData = renderTemplate(files.userData, {
    [TEMPLATE_VARS.hostname]: word,
    [TEMPLATE_VARS.passwordHash]: hash,
  });
  return { word, userData, metaData: files.metaData };
});

describe('the served user-data and meta-data of words YAML 1.1 misreads', () => {
  it(`PyYAML reads the identity's username and hostname as the words (${served.length} words)`, () => {
    const read = readAllByPyYaml(served.map((s) => s.userData)) as {
      autoinstall: { identity: Record<string, unknown> };
    }[];
    read.forEach(({ autoinstall }, i) => {
      expect(autoinstall.identity, served[i].word).toEqual({
        hostname: served[i].word,
        username: served[i].word,
        password: hash,
      });
    });
  });

  it("PyYAML reads the meta-data's instance id as the cluster's", () => {
    const read = readAllByPyYaml(served.map((s) => s.metaData)) as Record<string, unknown>[];
    read.forEach((m, i) => expect(m['instance-id']).toBe(`${served[i].word}-worker-image-build`));
  });

  it('the yaml library reads the same under YAML 1.1 and 1.2', () => {
    for (const { word, userData } of served) {
      const { v11, v12 } = readByYamlLibrary(userData) as Record<'v11' | 'v12', { autoinstall: { identity: object } }>;
      expect(v11.autoinstall.identity, word).toEqual({ hostname: word, username: word, password: hash });
      expect(v12).toEqual(v11);
    }
  });
});
