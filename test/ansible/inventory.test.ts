import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lolice } from '@lolice/node-model';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../lib/repo-copy';
import { ansibleInventoryList, inventoryMismatches } from './inventory-check';

const INVENTORY_DIR = join(REPO_ROOT, 'ansible/inventories/production');

describe('ansible-inventory --list of the committed production inventory', () => {
  it('shows exactly the model nodes, groups and variables', () => {
    // GIVEN the committed inventory WHEN ansible-inventory reads it THEN nothing differs from the model
    expect(inventoryMismatches(lolice, ansibleInventoryList(join(INVENTORY_DIR, 'hosts.yml')))).toEqual([]);
  });

  it('applies the group variables beside hosts.yml to the workers', () => {
    const golyat1 = ansibleInventoryList(join(INVENTORY_DIR, 'hosts.yml'))._meta.hostvars['golyat-1'];
    expect(golyat1).toMatchObject({ node_ip: '192.168.10.101', kubernetes_kubelet_version: '1.32.0-1.1', network_gateway: '192.168.10.1' });
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

  it('reports a wrong node IP', () => {
    const list = tampered('hosts.yml', 'node_ip: 192.168.10.105', 'node_ip: 192.168.10.205');
    expect(inventoryMismatches(lolice, list)).toEqual(['golyat-2.node_ip: inventory has "192.168.10.205", model gives "192.168.10.105"']);
  });

  it('reports a host the model does not have', () => {
    const list = tampered('hosts.yml', '        golyat-3:', '        golyat-9:');
    expect(inventoryMismatches(lolice, list)).toContain('hosts: inventory has [golyat-1, golyat-2, golyat-9, shanghai-1, shanghai-2, shanghai-3], model has [golyat-1, golyat-2, golyat-3, shanghai-1, shanghai-2, shanghai-3]');
  });

  it('reports a group variable that is not the model value', () => {
    const list = tampered('group_vars/workers.yml', 'kubernetes_cluster_dns: 10.96.0.10', 'kubernetes_cluster_dns: 10.96.0.53');
    expect(inventoryMismatches(lolice, list)).toContain('golyat-1.kubernetes_cluster_dns: inventory has "10.96.0.53", model gives "10.96.0.10"');
  });

  it('reports an extra variable', () => {
    const list = tampered('group_vars/control_plane.yml', 'admin_user: boxp', 'admin_user: boxp\nkubelet_extra: 1');
    expect(inventoryMismatches(lolice, list)).toContain('shanghai-1.kubelet_extra: inventory has 1, model gives undefined');
  });
});
