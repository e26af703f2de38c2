/**
 * PRODUCTION FACTS: the one test that asserts what the lolice cluster is, as it runs (boxp/arch's
 * production inventory, late 2026). Every other test derives its expectations from the model it
 * renders; this one fails when the model stops describing the real fleet. A model change that is
 * meant to change the fleet (a new worker, a Kubernetes upgrade) updates this file with it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  crioMinor,
  hostDirectories,
  imageWorkerNodes,
  INVENTORY_DIR,
  nodeLabels,
  nodeTaints,
  portMatch,
  profileOf,
  validateCluster,
} from '@lolice/node-model';
import { loadRepoModel, REPO_ROOT } from './lib/model';
import { lolice } from '../packages/node-model/src/lolice';

const node = (name: string) => {
  const found = lolice.nodes.find((n) => n.name === name);
  if (!found) throw new Error(`the production model has no node ${name}`);
  return found;
};

describe('the production model (packages/node-model/src/lolice.ts)', () => {
  it('is valid, and is what loadModelFile gives npx projen', () => {
    expect(validateCluster(lolice)).toEqual([]);
    expect(loadRepoModel()).toEqual(lolice);
  });

  it('runs Kubernetes 1.36.1 from the packages 1.36.1-1.1 of pkgs.k8s.io v1.36', () => {
    expect(lolice.kubernetes.versions).toMatchObject({
      minor: '1.36',
      kubeadm: '1.36.1-1.1',
      kubelet: '1.36.1-1.1',
      kubectl: '1.36.1-1.1',
    });
  });

  it("runs CRI-O 1.36.1 from CRI-O's v1.36 repository", () => {
    expect(lolice.kubernetes.versions.crio).toBe('1.36.1-1.1');
    expect(crioMinor(lolice)).toBe('1.36');
  });

  it('has the control plane shanghai-1..3 at .102-.104 behind Cloudflare Access, and the workers golyat-1..4', () => {
    expect(lolice.nodes.filter((n) => n.role === 'control-plane').map((n) => [n.name, n.ip])).toEqual([
      ['shanghai-1', '192.168.10.102'],
      ['shanghai-2', '192.168.10.103'],
      ['shanghai-3', '192.168.10.104'],
    ]);
    for (const n of lolice.nodes.filter((x) => x.role === 'control-plane')) {
      expect(n.sshProxyCommand).toContain('cloudflared access ssh');
    }
    expect(imageWorkerNodes(lolice).map((n) => [n.name, n.ip])).toEqual([
      ['golyat-1', '192.168.10.101'],
      ['golyat-2', '192.168.10.105'],
      ['golyat-3', '192.168.10.106'],
      ['golyat-4', '192.168.10.107'],
    ]);
    expect(lolice.network).toMatchObject({ subnet: '192.168.10.0/24', gateway: '192.168.10.1' });
  });

  it('has golyat-4 at .107 on enp44s0, a GMKtec EVO-T1 with two RTL8125 ports', () => {
    const golyat4 = node('golyat-4');
    expect(golyat4).toMatchObject({ ip: '192.168.10.107', port: { name: 'enp44s0' } });
    expect(portMatch(lolice, golyat4)).toEqual({ name: 'enp44s0' });
    const profile = profileOf(lolice, golyat4);
    expect(profile.description).toMatch(/GMKtec EVO-T1/);
    expect(profile).toMatchObject({ arch: 'x86_64', wiredPorts: 2 });
    expect(profile.defaultPortPattern).toBeUndefined();
  });

  it("gives golyat-4's profile r8169 from the installed kernel, rtl_nic/rtl8125b-2.fw from linux-firmware, Intel microcode and the Arc runtime", () => {
    const profile = profileOf(lolice, node('golyat-4'));
    expect(profile.kernel?.modules).toContain('r8169');
    expect(profile.firmware).toEqual({ packages: ['linux-firmware'], files: ['rtl_nic/rtl8125b-2.fw'] });
    expect(profile.microcode).toEqual(['intel-microcode']);
    expect(profile.extras?.packages).toEqual(
      expect.arrayContaining(['intel-opencl-icd', 'intel-gpu-tools', 'clinfo', 'vainfo']),
    );
  });

  it('labels golyat-4 lolice.io/gpu-worker=true, no taint (docs/parity.md), and makes its /var/lib/local-llm/models', () => {
    const golyat4 = node('golyat-4');
    expect(nodeLabels(lolice, golyat4)).toEqual({ 'lolice.io/gpu-worker': 'true' });
    expect(nodeTaints(lolice, golyat4)).toEqual([]);
    expect(hostDirectories(golyat4).map((d) => d.path)).toEqual(['/var/lib/local-llm/models']);
    expect(lolice.kubernetes.ownedLabelPrefix).toBe('lolice.io/');
  });

  it('keeps golyat-1..3 on the one-port Intel mini PC profile', () => {
    for (const name of ['golyat-1', 'golyat-2', 'golyat-3']) {
      const profile = profileOf(lolice, node(name));
      expect(profile, name).toMatchObject({ arch: 'x86_64', wiredPorts: 1 });
      expect(node(name).port, name).toBeUndefined();
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
  });
});

describe('the committed inventory says the same', () => {
  const workersYml = parse(readFileSync(join(REPO_ROOT, INVENTORY_DIR, 'group_vars/workers.yml'), 'utf8'));
  const hostsYml = parse(readFileSync(join(REPO_ROOT, INVENTORY_DIR, 'hosts.yml'), 'utf8'));

  it('pins Kubernetes and CRI-O at 1.36.1-1.1 from the v1.36 repositories', () => {
    expect(workersYml).toMatchObject({
      kubernetes_version: '1.36',
      kubernetes_kubelet_version: '1.36.1-1.1',
      crio_version: '1.36',
      crio_package_version: '1.36.1-1.1',
    });
  });

  it('matches golyat-4 by enp44s0 and gives its profile the RTL8125 driver and firmware', () => {
    const golyat4 = hostsYml.all.children.workers.hosts['golyat-4'];
    expect(golyat4).toMatchObject({ node_ip: '192.168.10.107', node_port_match: { name: 'enp44s0' } });
    expect(workersYml.hardware_profiles[golyat4.hardware_profile]).toMatchObject({
      kernel_modules: ['r8169'],
      firmware_files: ['rtl_nic/rtl8125b-2.fw'],
    });
  });
});
