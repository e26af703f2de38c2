import { describe, expect, it } from 'vitest';
import { lolice, renderNodeTable } from '../src';

describe('renderNodeTable', () => {
  it('lists every node of the model with its role and IP, in model order', () => {
    const table = renderNodeTable(lolice);
    const rows = table.split('\n').filter((l) => /^\| (shanghai|golyat)-/.test(l));
    expect(rows.map((r) => r.split(' | ')[0].slice(2))).toEqual(lolice.nodes.map((n) => n.name));
    expect(table).toContain('| golyat-1 | worker | 192.168.10.101 | x86_64 | intel_x86_64 | Intel N100 |');
    expect(table).toContain('Control-plane VIP 192.168.10.99');
  });

  it('is deterministic', () => {
    expect(renderNodeTable(structuredClone(lolice))).toBe(renderNodeTable(lolice));
  });
});
