/**
 * PRODUCTION FACTS: the one test that imports the lolice cluster's own model and asserts what must
 * hold of it as long as it describes the real fleet (boxp/arch's production inventory, late 2026).
 * It asserts invariants, not the fleet's current list: what a model change is meant to change
 * (which workers exist, their addresses, the Kubernetes and CRI-O versions) is not restated here,
 * so that the README's recipes (add a worker, move Kubernetes to the next minor) keep this test
 * green with no edit. Every other test derives its expectations from the model it renders.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  controlPlane,
  crioMinor,
  hostDirectories,
  imageWorkerNodes,
  INVENTORY_DIR,
  nodeLabels,
  portMatch,
  profileOf,
  validateCluster,
  workers,
} from '@lolice/node-model';
import { loadRepoModel, REPO_ROOT } from './lib/model';
import { lolice } from '../packages/node-model/src/lolice';

/** The upstream version of a package version: 1.36.1-1.1 -> 1.36.1. */
const upstream = (version: string) => version.split('-')[0];

describe('the production model (packages/node-model/src/lolice.ts)', () => {
  it('is valid, and is what loadModelFile gives npx projen', () => {
    expect(validateCluster(lolice)).toEqual([]);
    expect(loadRepoModel()).toEqual(lolice);
  });

  it('moves kubeadm, kubelet, kubectl and CRI-O together: one patch release of the minor that selects the repositories', () => {
    const { minor, kubeadm, kubelet, kubectl } = lolice.kubernetes.versions;
    expect(upstream(kubelet).startsWith(`${minor}.`)).toBe(true);
    expect(new Set([kubeadm, kubelet, kubectl].map(upstream))).toEqual(new Set([upstream(kubelet)]));
    expect(crioMinor(lolice)).toBe(minor);
  });

  it('has an ARM64 control plane of three, each reached through Cloudflare Access, that no image is built for', () => {
    const cp = controlPlane(lolice);
    expect(cp).toHaveLength(3);
    for (const n of cp) {
      expect(n.sshProxyCommand, n.name).toContain('cloudflared access ssh');
      expect(profileOf(lolice, n).arch, n.name).toBe('arm64');
      expect(imageWorkerNodes(lolice), n.name).not.toContain(n);
    }
  });

  it('builds an x86_64 image for every worker', () => {
    expect(workers(lolice).length).toBeGreaterThan(0);
    expect(imageWorkerNodes(lolice)).toEqual(workers(lolice));
  });

  it('names the cabled port of every worker on multi-port hardware (the GMKtec EVO-T1 has two RTL8125 ports)', () => {
    for (const n of workers(lolice)) {
      const profile = profileOf(lolice, n);
      if (profile.wiredPorts > 1) {
        expect(n.port, `${n.name} (${n.hardware})`).toBeDefined();
        expect(profile.defaultPortPattern, n.hardware).toBeUndefined();
      } else {
        expect(profile.defaultPortPattern, n.hardware).toBeDefined();
      }
    }
  });

  it('gives the GMKtec EVO-T1 profile r8169 from the installed kernel, rtl_nic/rtl8125b-2.fw from linux-firmware, Intel microcode and the Arc runtime', () => {
    const profile = lolice.hardware.gmktec_evo_t1;
    expect(profile.description).toMatch(/GMKtec EVO-T1/);
    expect(profile).toMatchObject({ arch: 'x86_64', wiredPorts: 2 });
    expect(profile.kernel?.modules).toContain('r8169');
    expect(profile.firmware).toEqual({ packages: ['linux-firmware'], files: ['rtl_nic/rtl8125b-2.fw'] });
    expect(profile.microcode).toEqual(['intel-microcode']);
    expect(profile.extras?.packages).toEqual(
      expect.arrayContaining(['intel-opencl-icd', 'intel-gpu-tools', 'clinfo', 'vainfo']),
    );
  });

  it("labels the GPU worker lolice.io/gpu-worker=true, as boxp/lolice's GPU workloads select it, and gives it local-llm's models directory", () => {
    expect(lolice.kubernetes.ownedLabelPrefix).toBe('lolice.io/');
    const gpu = workers(lolice).filter((n) => nodeLabels(lolice, n)['lolice.io/gpu-worker'] === 'true');
    expect(gpu.length).toBeGreaterThan(0);
    for (const n of gpu) {
      expect(
        hostDirectories(n).map((d) => d.path),
        n.name,
      ).toContain('/var/lib/local-llm/models');
    }
  });

  it('publishes images for boxp/arch (main) to s3://arch-worker-images/images/x86_64, for the admin boxp', () => {
    expect(lolice.aws).toMatchObject({
      bucket: 'arch-worker-images',
      imagePrefix: 'images/x86_64',
      repository: 'boxp/arch',
      branch: 'main',
      region: 'ap-northeast-1',
    });
    expect(lolice.admin).toEqual({ user: 'boxp', githubKeysUser: 'boxp' });
    expect(lolice.network).toMatchObject({ subnet: '192.168.10.0/24', gateway: '192.168.10.1' });
  });
});

describe('the committed inventory says the same', () => {
  const workersYml = parse(readFileSync(join(REPO_ROOT, INVENTORY_DIR, 'group_vars/workers.yml'), 'utf8'));
  const hostsYml = parse(readFileSync(join(REPO_ROOT, INVENTORY_DIR, 'hosts.yml'), 'utf8'));

  it("pins Kubernetes and CRI-O at the model's versions from the model's minor repositories", () => {
    const v = lolice.kubernetes.versions;
    expect(workersYml).toMatchObject({
      kubernetes_version: v.minor,
      kubernetes_kubelet_version: v.kubelet,
      crio_version: crioMinor(lolice),
      crio_package_version: v.crio,
    });
  });

  it("matches every worker's cabled port as the model says, and gives its profile's driver and firmware", () => {
    for (const n of workers(lolice)) {
      const host = hostsYml.all.children.workers.hosts[n.name];
      expect(host, n.name).toMatchObject({ node_ip: n.ip, node_port_match: portMatch(lolice, n) });
      const profile = profileOf(lolice, n);
      expect(workersYml.hardware_profiles[host.hardware_profile], n.name).toMatchObject({
        kernel_modules: profile.kernel?.modules ?? [],
        firmware_files: profile.firmware?.files ?? [],
      });
    }
  });
});
