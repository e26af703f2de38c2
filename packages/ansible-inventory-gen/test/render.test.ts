import { describe, expect, it } from 'vitest';
import {
  controlPlane,
  crioMinor,
  exampleCluster as example,
  hostDirectories,
  imageWorkerNodes,
  nodeLabels,
  nodeTaints,
  portMatch,
  prefixLength,
  workers,
  type Cluster,
  type ClusterNode,
} from '@lolice/node-model';
import { variant, withNewWorker, withNextMinor } from '../../../test/lib/model';
import {
  GROUP_OF_ROLE,
  groupVarsPath,
  HOSTS_PATH,
  render,
  renderClusterFacts,
  renderHosts,
  renderWorkerFacts,
  type InventoryDocument,
} from '../src';

const names = (nodes: readonly ClusterNode[]) => nodes.map((n) => n.name);

describe('renderHosts', () => {
  it('puts every control-plane node in control_plane and every worker in workers, in model order', () => {
    // GIVEN the example model WHEN the inventory is rendered
    const { children } = renderHosts(example).all;
    // THEN the groups hold exactly the model's nodes of each role
    expect(Object.keys(children)).toEqual([GROUP_OF_ROLE['control-plane'], GROUP_OF_ROLE.worker]);
    expect(Object.keys(children.control_plane.hosts)).toEqual(names(controlPlane(example)));
    expect(Object.keys(children.workers.hosts)).toEqual(names(workers(example)));
  });

  it('gives each node its address, hardware profile and the netplan match of its one port', () => {
    const { children } = renderHosts(example).all;
    for (const n of workers(example)) {
      expect(children.workers.hosts[n.name], n.name).toEqual({
        ansible_host: n.ip,
        node_ip: n.ip,
        hardware_profile: n.hardware,
        node_port_match: portMatch(example, n),
      });
    }
  });

  it("matches a port by MAC, by interface name, or by the one-port profile's pattern", () => {
    const hosts = renderHosts(example).all.children.workers.hosts;
    const byMac = example.nodes.find((n) => n.port?.mac)!;
    const byName = example.nodes.find((n) => n.port?.name)!;
    const byDefault = workers(example).find((n) => !n.port)!;
    expect(hosts[byMac.name].node_port_match).toEqual({ macaddress: byMac.port!.mac });
    expect(hosts[byName.name].node_port_match).toEqual({ name: byName.port!.name });
    expect(hosts[byDefault.name].node_port_match).toEqual({
      name: example.hardware[byDefault.hardware].defaultPortPattern,
    });
  });

  it('reaches a node with a ProxyCommand through it, and no other node', () => {
    const all = {
      ...renderHosts(example).all.children.control_plane.hosts,
      ...renderHosts(example).all.children.workers.hosts,
    };
    for (const n of example.nodes) {
      if (n.sshProxyCommand) {
        expect(all[n.name].ansible_ssh_common_args, n.name).toBe(`-o ProxyCommand="${n.sshProxyCommand}"`);
      } else {
        expect(all[n.name].ansible_ssh_common_args, n.name).toBeUndefined();
      }
    }
    expect(example.nodes.some((n) => n.sshProxyCommand)).toBe(true);
  });

  it('logs in as the admin user of the model', () => {
    expect(renderHosts(example).all.vars).toEqual({ ansible_user: example.admin.user });
    expect(renderHosts(variant(example, (c) => (c.admin.user = `${example.admin.user}x`))).all.vars).toEqual({
      ansible_user: `${example.admin.user}x`,
    });
  });

  it('picks up a worker added to the model', () => {
    const more = withNewWorker(example);
    const added = more.nodes.at(-1)!;
    expect(Object.keys(renderHosts(more).all.children.workers.hosts)).toEqual([...names(workers(example)), added.name]);
    expect(renderHosts(more).all.children.workers.hosts[added.name]).toMatchObject({
      ansible_host: added.ip,
      node_ip: added.ip,
      hardware_profile: added.hardware,
    });
  });
});

describe('group variables', () => {
  const v = example.kubernetes.versions;

  it('give every node the versions (repository minors and package pins), cluster DNS and domain, API endpoint and admin of the model', () => {
    expect(renderClusterFacts(example)).toEqual({
      cluster_name: example.name,
      kubernetes_version: v.minor,
      kubernetes_kubeadm_version: v.kubeadm,
      kubernetes_kubelet_version: v.kubelet,
      kubernetes_kubectl_version: v.kubectl,
      crio_version: crioMinor(example),
      crio_package_version: v.crio,
      kubernetes_cluster_domain: example.kubernetes.clusterDomain,
      kubernetes_cluster_dns: example.kubernetes.clusterDns,
      kubernetes_control_plane_vip: example.kubernetes.controlPlaneVip,
      kubernetes_api_server_port: example.kubernetes.apiServerPort,
      admin_user: example.admin.user,
    });
    expect(crioMinor(example)).toBe(v.minor);
  });

  it('give workers the network, the GitHub keys user and the profiles of the machines the image pipeline builds', () => {
    const facts = renderWorkerFacts(example);
    expect(facts).toMatchObject({
      ...renderClusterFacts(example),
      network_prefix_length: prefixLength(example),
      network_gateway: example.network.gateway,
      network_dns_servers: example.network.dnsServers,
      admin_github_keys_user: example.admin.githubKeysUser,
    });
    expect(Object.keys(facts.hardware_profiles)).toEqual([
      ...new Set(imageWorkerNodes(example).map((n) => n.hardware)),
    ]);
  });

  it('spell out each built profile: kernel, firmware, microcode and extras', () => {
    for (const [name, facts] of Object.entries(renderWorkerFacts(example).hardware_profiles)) {
      const p = example.hardware[name];
      expect(facts, name).toEqual({
        description: p.description,
        wired_ports: p.wiredPorts,
        kernel_flavour: p.kernel!.flavour,
        kernel_modules: p.kernel!.modules,
        firmware_packages: p.firmware?.packages ?? [],
        firmware_files: p.firmware?.files ?? [],
        microcode_packages: p.microcode ?? [],
        extra_packages: p.extras?.packages ?? [],
      });
    }
  });

  it('carry an extras APT source with its key fingerprint when the profile has one', () => {
    const source = {
      name: 'gpu-vendor',
      uri: 'https://apt.example.org/gpu',
      suite: 'stable',
      components: ['main', 'extra'],
      keyUrl: 'https://apt.example.org/key.asc',
      keyFingerprint: 'A'.repeat(40),
    };
    const profile = imageWorkerNodes(example).find((n) => example.hardware[n.hardware].extras)!.hardware;
    const withSource = variant(example, (c) => (c.hardware[profile].extras!.aptSource = source));
    expect(renderWorkerFacts(withSource).hardware_profiles[profile].extra_apt_source).toEqual({
      name: source.name,
      uri: source.uri,
      suite: source.suite,
      components: source.components,
      key_url: source.keyUrl,
      key_fingerprint: source.keyFingerprint,
    });
  });

  it("leave out profiles no built worker uses (the control plane's)", () => {
    const unused = Object.keys(example.hardware).filter(
      (p) => !imageWorkerNodes(example).some((n) => n.hardware === p),
    );
    expect(unused.length).toBeGreaterThan(0);
    for (const p of unused) expect(renderWorkerFacts(example).hardware_profiles).not.toHaveProperty(p);
  });

  it('follow a version change in the model (one edit, no other source)', () => {
    const bumped = withNextMinor(example);
    const w = bumped.kubernetes.versions;
    expect(render(bumped)[groupVarsPath('workers')]).toMatchObject({
      kubernetes_version: w.minor,
      kubernetes_kubelet_version: w.kubelet,
      crio_version: w.minor,
      crio_package_version: w.crio,
    });
  });

  it('derive the prefix length from the subnet', () => {
    const wider = variant(example, (c) => (c.network.subnet = c.network.subnet.replace(/\.\d+\.0\/24$/, '.0.0/16')));
    expect(wider.network.subnet).not.toBe(example.network.subnet);
    expect(renderWorkerFacts(wider).network_prefix_length).toBe(16);
  });

  it('keep worker-only facts (network, GitHub keys user, hardware) out of control_plane', () => {
    const cp = render(example)[groupVarsPath('control_plane')];
    expect(cp).toEqual(renderClusterFacts(example));
    for (const key of ['network_gateway', 'admin_github_keys_user', 'hardware_profiles']) {
      expect(cp).not.toHaveProperty(key);
    }
  });
});

describe('what each worker registers with, and its host directories', () => {
  const facts = renderWorkerFacts(example);

  it('lists every worker, in model order, and no control-plane node', () => {
    expect(Object.keys(facts.worker_nodes)).toEqual(names(workers(example)));
  });

  it("give each worker its labels and taints, its profile's merged with its own, and its host directories", () => {
    for (const n of workers(example)) {
      expect(facts.worker_nodes[n.name], n.name).toEqual({
        labels: nodeLabels(example, n),
        taints: nodeTaints(example, n).map((t) => ({ key: t.key, value: t.value ?? '', effect: t.effect })),
        host_directories: hostDirectories(n),
      });
    }
    // the example exercises a profile's labels, a node's own, a node without any, and a host directory
    const all = Object.values(facts.worker_nodes);
    expect(all.some((w) => Object.keys(w.labels).length === 0)).toBe(true);
    expect(all.some((w) => w.taints.length > 0) && all.some((w) => w.host_directories.length > 0)).toBe(true);
  });

  it('spell a taint without a value with an empty value', () => {
    const [w] = workers(example);
    const bare = variant(
      example,
      (c) => (c.nodes.find((n) => n.name === w.name)!.taints = [{ key: 'a', effect: 'NoExecute' }]),
    );
    expect(renderWorkerFacts(bare).worker_nodes[w.name].taints).toEqual([{ key: 'a', value: '', effect: 'NoExecute' }]);
  });

  it("hand the playbooks the prefix the model owns, and keep it out of the control plane's facts", () => {
    expect(facts.node_label_owned_prefix).toBe(example.kubernetes.ownedLabelPrefix);
    expect(render(example)[groupVarsPath('control_plane')]).not.toHaveProperty('worker_nodes');
  });

  it('follow a label added to a worker of the model', () => {
    const [w] = workers(example);
    const key = `${example.kubernetes.ownedLabelPrefix}added`;
    const more = variant(example, (c) => {
      const n = c.nodes.find((x) => x.name === w.name)!;
      n.labels = { ...n.labels, [key]: 'yes' };
    });
    expect(renderWorkerFacts(more).worker_nodes[w.name].labels).toMatchObject({ [key]: 'yes' });
  });
});

describe('render', () => {
  it('emits the inventory and one group-variables file per group, beside it', () => {
    expect(Object.keys(render(example))).toEqual([
      HOSTS_PATH,
      groupVarsPath('control_plane'),
      groupVarsPath('workers'),
    ]);
    expect(groupVarsPath('workers')).toBe(HOSTS_PATH.replace(/hosts\.yml$/, 'group_vars/workers.yml'));
  });

  it('is pure and deterministic: same model, same output; the model is not mutated', () => {
    const copy = structuredClone(example);
    expect(JSON.stringify(render(copy))).toBe(JSON.stringify(render(example)));
    expect(copy).toEqual(example);
  });

  it('follows the model order of the nodes', () => {
    const reversed: Cluster = { ...example, nodes: [...example.nodes].reverse() };
    const hosts = (c: Cluster) => Object.keys((render(c)[HOSTS_PATH] as InventoryDocument).all.children.workers.hosts);
    expect(hosts(reversed)).toEqual(hosts(example).reverse());
  });
});
