import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exampleCluster as example, INVENTORY_DIR, type Cluster } from '@lolice/node-model';
import { ansibleInventoryList, inventoryMismatches } from '../../../test/ansible/inventory-check';
import { variant } from '../../../test/lib/model';
import { readAllByPyYaml, readByYamlLibrary, YAML_MISREAD } from '../../../test/lib/yaml-readers';
import { HOSTS_PATH, render, renderYaml } from '../src';

/**
 * Ansible reads YAML 1.1: GIVEN a model whose names are words YAML 1.1 or 1.2 reads as something
 * else (not a valid model: the generator must hold up on its own), WHEN the inventory is rendered,
 * THEN every reader gets the model's strings back.
 */

/** The example model with one worker per name (copies of its first worker), each word also in the other name fields. */
function withNames(names: readonly string[]): Cluster {
  return variant(example, (c) => {
    const first = c.nodes.find((n) => n.role === 'worker')!;
    const profile = c.hardware[first.hardware];
    const [word = 'x'] = names;
    c.hardware = { ...c.hardware, [word]: { ...profile, kernel: { flavour: word, modules: [...names] } } };
    profile.microcode = [...names];
    c.admin.user = word;
    c.name = word;
    c.nodes = [
      ...c.nodes.filter((n) => n.role !== 'worker'),
      ...names.map((name, i) => ({ ...first, name, ...(i === 0 ? { hardware: word } : {}) })),
    ];
  });
}

describe('names YAML 1.1 readers misread, in every inventory file', () => {
  // each word in turn in the fields of one (cluster name, admin user, profile, flavour), all as node names
  const models = YAML_MISREAD.map((word) => withNames([word, ...YAML_MISREAD.filter((w) => w !== word)]));
  const files = models.flatMap((model) => {
    const objects = JSON.parse(JSON.stringify(render(model))) as Record<string, unknown>;
    return Object.entries(renderYaml(model)).map(([path, text]) => ({ path, text, object: objects[path] }));
  });

  it(`PyYAML reads back the objects of all ${files.length} files (${YAML_MISREAD.length} models)`, () => {
    expect(readAllByPyYaml(files.map((f) => f.text))).toEqual(files.map((f) => f.object));
  });

  it('the yaml library reads them back under YAML 1.1 and 1.2', () => {
    for (const f of files) expect(readByYamlLibrary(f.text), f.path).toEqual({ v11: f.object, v12: f.object });
  });
});

describe('ansible-inventory --list (the real one) of an inventory with such names', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lolice-hostile-inventory-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Host names Ansible's YAML inventory takes as names (a ':' would be a port, a space two hosts). */
  const hostNames = YAML_MISREAD.filter((w) => /^[A-Za-z0-9.+-]+$/.test(w));

  it('shows the model hosts, groups and variables: no host is False, no user is True', () => {
    expect(hostNames).toEqual(expect.arrayContaining(['no', 'on', 'y', 'null', '123', '1e3', '2001-12-14']));
    const model = withNames(hostNames);
    for (const [path, text] of Object.entries(renderYaml(model))) {
      const file = join(dir, path.slice(INVENTORY_DIR.length + 1));
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, text);
    }
    const list = ansibleInventoryList(join(dir, HOSTS_PATH.slice(INVENTORY_DIR.length + 1)));
    expect(inventoryMismatches(model, list)).toEqual([]);
    expect(Object.keys(list._meta.hostvars)).toEqual(expect.arrayContaining(hostNames));
    expect(list._meta.hostvars[hostNames[0]].ansible_user).toBe(model.admin.user);
  });
});
