import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { controlPlane, INVENTORY_DIR as INVENTORY, workers } from '@lolice/node-model';
import { ansibleInventoryList, inventoryMismatches } from './inventory-check';
import { freeNodeAddress, freeNodeName, loadRepoModel, REPO_ROOT } from '../lib/model';

const INVENTORY_DIR = join(REPO_ROOT, INVENTORY);
/** The repository's model, as `npx projen` loads it: the committed inventory must say the same. */
const model = loadRepoModel();

describe('ansible-inventory --list of the committed production inventory', () => {
  it('shows exactly the model nodes, groups and variables', () => {
    // GIVEN the committed inventory WHEN ansible-inventory reads it THEN nothing differs from the model
    expect(inventoryMismatches(model, ansibleInventoryList(join(INVENTORY_DIR, 'hosts.yml')))).toEqual([]);
  });

  it('applies the group variables beside hosts.yml to the workers', () => {
    const [w] = workers(model);
    const vars = ansibleInventoryList(join(INVENTORY_DIR, 'hosts.yml'))._meta.hostvars[w.name];
    expect(vars).toMatchObject({
      node_ip: w.ip,
      kubernetes_kubelet_version: model.kubernetes.versions.kubelet,
      network_gateway: model.network.gateway,
    });
  });
});

describe('the inventory check', () => {
  let dir: string | undefined;
  afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

  /** A copy of the inventory with one edit, as a broken generator would write it. */
  const tampered = (file: string, from: string, to: string) => {
    dir = mkdtempSync(join(tmpdir(), 'lolice-inventory-'));
    cpSync(INVENTORY_DIR, dir, { recursive: true });
    const text = readFileSync(join(dir, file), 'utf8');
    expect(text).toContain(from);
    writeFileSync(join(dir, file), text.replace(from, to));
    return ansibleInventoryList(join(dir, 'hosts.yml'));
  };
  const w = workers(model).at(-1)!;
  const sorted = (names: string[]) => [...names].sort().join(', ');

  it('reports a wrong node IP', () => {
    const wrong = freeNodeAddress(model);
    const list = tampered('hosts.yml', `node_ip: ${w.ip}\n`, `node_ip: ${wrong}\n`);
    expect(inventoryMismatches(model, list)).toEqual([
      `${w.name}.node_ip: inventory has "${wrong}", model gives "${w.ip}"`,
    ]);
  });

  it('reports a host the model does not have', () => {
    const stranger = freeNodeName(model);
    const list = tampered('hosts.yml', `        ${w.name}:\n`, `        ${stranger}:\n`);
    const names = model.nodes.map((n) => n.name);
    expect(inventoryMismatches(model, list)).toContain(
      `hosts: inventory has [${sorted([...names.filter((n) => n !== w.name), stranger])}], model has [${sorted(names)}]`,
    );
  });

  it('reports a group variable that is not the model value', () => {
    const dns = model.kubernetes.clusterDns;
    const other = dns.replace(/\d+$/, (last) => String((Number(last) + 1) % 256));
    const list = tampered(
      'group_vars/workers.yml',
      `kubernetes_cluster_dns: ${dns}\n`,
      `kubernetes_cluster_dns: ${other}\n`,
    );
    expect(inventoryMismatches(model, list)).toContain(
      `${workers(model)[0].name}.kubernetes_cluster_dns: inventory has "${other}", model gives "${dns}"`,
    );
  });

  it('reports a wrong hardware profile', () => {
    const head = `        ${w.name}:\n          ansible_host: ${w.ip}\n          node_ip: ${w.ip}\n`;
    const list = tampered(
      'hosts.yml',
      `${head}          hardware_profile: ${w.hardware}\n`,
      `${head}          hardware_profile: ${w.hardware}x\n`,
    );
    expect(inventoryMismatches(model, list)).toEqual([
      `${w.name}.hardware_profile: inventory has "${w.hardware}x", model gives "${w.hardware}"`,
    ]);
  });

  it('reports an extra variable', () => {
    const user = `admin_user: ${model.admin.user}\n`;
    const list = tampered('group_vars/control_plane.yml', user, `${user}kubelet_extra: 1\n`);
    expect(inventoryMismatches(model, list)).toContain(
      `${controlPlane(model)[0].name}.kubelet_extra: inventory has 1, model gives undefined`,
    );
  });
});
