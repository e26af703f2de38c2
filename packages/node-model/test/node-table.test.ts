import { describe, expect, it } from 'vitest';
import { variant } from '../../../test/lib/model';
import { crioMinor, exampleCluster as example, profileOf, renderNodeTable } from '../src';

describe('renderNodeTable', () => {
  const table = renderNodeTable(example);
  const nodeRows = (t: string) => t.split('\n').filter((l) => example.nodes.some((n) => l.startsWith(`| ${n.name} |`)));

  it('lists every node of the model with its role, IP, port, arch, hardware and CPU, in model order', () => {
    expect(nodeRows(table)).toEqual(
      example.nodes.map((n) => {
        const p = profileOf(example, n);
        const port = n.port?.name ?? n.port?.mac ?? `${p.defaultPortPattern} (only port)`;
        return `| ${n.name} | ${n.role} | ${n.ip} | ${port} | ${p.arch} | ${n.hardware} | ${n.cpu ?? ''} |`;
      }),
    );
  });

  it('describes each hardware profile, the addresses and the versions of the model', () => {
    for (const [name, p] of Object.entries(example.hardware)) expect(table).toContain(`| ${name} | ${p.description} |`);
    expect(table).toContain(
      `Control-plane VIP ${example.kubernetes.controlPlaneVip}, subnet ${example.network.subnet}, gateway ${example.network.gateway}.`,
    );
    expect(table).toContain(
      `Kubernetes ${example.kubernetes.versions.minor} (packages ${example.kubernetes.versions.kubeadm}), CRI-O ${crioMinor(example)} (packages ${example.kubernetes.versions.crio})`,
    );
  });

  it('follows the model order', () => {
    const reversed = variant(example, (c) => c.nodes.reverse());
    expect(nodeRows(renderNodeTable(reversed))).toEqual(nodeRows(table).reverse());
  });

  it('is deterministic', () => {
    expect(renderNodeTable(structuredClone(example))).toBe(table);
  });
});
