import { lolice, type Cluster } from '@lolice/node-model';
import { describe, expect, it } from 'vitest';
import { groupVarsPath, HOSTS_PATH, render, renderHosts, renderWorkerFacts, type InventoryDocument } from '../src';

/** The lolice model with one more worker, as an operator would add it. */
const withGolyat4 = (): Cluster => ({
  ...lolice,
  nodes: [...lolice.nodes, { name: 'golyat-4', ip: '192.168.10.107', role: 'worker', arch: 'x86_64', hardware: 'intel_x86_64' }],
});

describe('renderHosts', () => {
  it('puts every control-plane node in control_plane and every worker in workers, in model order', () => {
    // GIVEN the lolice model WHEN the inventory is rendered
    const { children } = renderHosts(lolice).all;
    // THEN the groups hold exactly the model's nodes of each role
    expect(Object.keys(children)).toEqual(['control_plane', 'workers']);
    expect(Object.keys(children.control_plane.hosts)).toEqual(['shanghai-1', 'shanghai-2', 'shanghai-3']);
    expect(Object.keys(children.workers.hosts)).toEqual(['golyat-1', 'golyat-2', 'golyat-3']);
  });

  it('gives a worker its address as ansible_host and node_ip, and no proxy', () => {
    const golyat2 = renderHosts(lolice).all.children.workers.hosts['golyat-2'];
    expect(golyat2).toEqual({ ansible_host: '192.168.10.105', node_ip: '192.168.10.105' });
    expect(golyat2.ansible_ssh_common_args).toBeUndefined();
  });

  it('reaches the control plane through the Cloudflare Access ProxyCommand of the model', () => {
    const shanghai1 = renderHosts(lolice).all.children.control_plane.hosts['shanghai-1'];
    expect(shanghai1).toEqual({
      ansible_host: '192.168.10.102',
      node_ip: '192.168.10.102',
      ansible_ssh_common_args: '-o ProxyCommand="cloudflared access ssh --hostname %h"',
    });
  });

  it('logs in as the admin user of the model', () => {
    expect(renderHosts({ ...lolice, admin: { user: 'ops', githubKeysUser: 'octocat' } }).all.vars).toEqual({ ansible_user: 'ops' });
  });

  it('picks up a node added to the model', () => {
    expect(renderHosts(withGolyat4()).all.children.workers.hosts['golyat-4']).toEqual({ ansible_host: '192.168.10.107', node_ip: '192.168.10.107' });
  });
});

describe('group variables', () => {
  it('give workers the versions, cluster DNS and domain, network and admin facts of the model', () => {
    expect(renderWorkerFacts(lolice)).toEqual({
      cluster_name: 'lolice',
      kubernetes_version: '1.32',
      kubernetes_kubeadm_version: '1.32.0-1.1',
      kubernetes_kubelet_version: '1.32.0-1.1',
      kubernetes_kubectl_version: '1.32.0-1.1',
      crio_version: '1.32',
      kubernetes_cluster_domain: 'cluster.local',
      kubernetes_cluster_dns: '10.96.0.10',
      kubernetes_control_plane_vip: '192.168.10.99',
      kubernetes_api_server_port: 6443,
      admin_user: 'boxp',
      network_prefix_length: 24,
      network_gateway: '192.168.10.1',
      network_dns_servers: ['8.8.8.8', '8.8.4.4'],
      admin_github_keys_user: 'boxp',
    });
  });

  it('follow a version bump in the model (one edit, no other source)', () => {
    const bumped: Cluster = {
      ...lolice,
      kubernetes: { ...lolice.kubernetes, versions: { minor: '1.33', kubeadm: '1.33.1-1.1', kubelet: '1.33.1-1.1', kubectl: '1.33.1-1.1', crio: '1.33' } },
    };
    const facts = render(bumped)[groupVarsPath('workers')];
    expect(facts).toMatchObject({ kubernetes_version: '1.33', kubernetes_kubelet_version: '1.33.1-1.1', crio_version: '1.33' });
  });

  it('derive the prefix length from the subnet', () => {
    const facts = renderWorkerFacts({ ...lolice, network: { ...lolice.network, subnet: '192.168.0.0/16' } });
    expect(facts.network_prefix_length).toBe(16);
  });

  it('keep worker-only facts (network, GitHub keys user) out of control_plane', () => {
    const cp = render(lolice)[groupVarsPath('control_plane')];
    expect(cp).toMatchObject({ kubernetes_version: '1.32', kubernetes_cluster_dns: '10.96.0.10' });
    expect(cp).not.toHaveProperty('network_gateway');
    expect(cp).not.toHaveProperty('admin_github_keys_user');
  });
});

describe('render', () => {
  it('emits the inventory and one group-variables file per group, beside it', () => {
    expect(Object.keys(render(lolice))).toEqual([
      'ansible/inventories/production/hosts.yml',
      'ansible/inventories/production/group_vars/control_plane.yml',
      'ansible/inventories/production/group_vars/workers.yml',
    ]);
  });

  it('is pure and deterministic: same model, same output; the model is not mutated', () => {
    const copy = structuredClone(lolice);
    expect(JSON.stringify(render(copy))).toBe(JSON.stringify(render(lolice)));
    expect(copy).toEqual(lolice);
  });

  it('matches the snapshot of the lolice inventory', () => {
    expect((render(lolice)[HOSTS_PATH] as InventoryDocument).all.children.workers).toMatchSnapshot();
  });
});
