import { describe, expect, it } from 'vitest';
import { variant, type Mutable } from '../../../test/lib/model';
import {
  exampleCluster as example,
  hostDirectories,
  KUBELET_LABEL_NAMESPACES,
  KUBELET_LABELS,
  kubeletMaySet,
  nodeLabels,
  nodeTaints,
  profileOf,
  validateCluster,
  workers,
  type Cluster,
  type ValidationIssue,
} from '../src';

/** GIVEN the example model changed by `edit` WHEN it is validated THEN these issues come back. */
const issuesAfter = (edit: (c: Mutable<Cluster>) => void): ValidationIssue[] => validateCluster(variant(example, edit));
const only = (path: string, rule: string) => [{ path, rule, message: expect.any(String) }];

// The example's workers: one on a profile with labels and taints that keeps them, one that
// overrides them, and one on a profile without any.
const i = (test: (n: Cluster['nodes'][number]) => boolean) => {
  const found = example.nodes.findIndex(test);
  if (found < 0) throw new Error('the example model has no such node');
  return found;
};
const labelled = i((n) => n.role === 'worker' && profileOf(example, n).labels !== undefined && n.labels === undefined);
const overriding = i((n) => n.role === 'worker' && n.labels !== undefined && n.taints !== undefined);
const plain = i((n) => n.role === 'worker' && profileOf(example, n).labels === undefined);
const controlPlane = i((n) => n.role === 'control-plane');
const profileName = example.nodes[labelled].hardware;
const prefix = example.kubernetes.ownedLabelPrefix;

describe('labels and taints a node registers with', () => {
  it("a node keeps its profile's labels and taints, and adds or overrides its own", () => {
    const profile = profileOf(example, example.nodes[labelled]);
    expect(nodeLabels(example, example.nodes[labelled])).toEqual(profile.labels);
    expect(nodeTaints(example, example.nodes[labelled])).toEqual(profile.taints);
    const node = example.nodes[overriding];
    expect(nodeLabels(example, node)).toEqual({ ...profileOf(example, node).labels, ...node.labels });
    expect(nodeTaints(example, node)).toEqual(node.taints);
    expect(nodeLabels(example, example.nodes[plain])).toEqual({});
    expect(nodeTaints(example, example.nodes[plain])).toEqual([]);
  });

  it('an empty taint list on a node removes the profile taints (the example exercises it)', () => {
    expect(example.nodes[overriding].taints).toEqual([]);
    expect(profileOf(example, example.nodes[overriding]).taints?.length).toBeGreaterThan(0);
  });

  it('host directories are per node', () => {
    expect(workers(example).some((n) => hostDirectories(n).length > 0)).toBe(true);
    expect(hostDirectories(example.nodes[plain])).toEqual([]);
  });
});

describe('label syntax (Kubernetes qualified names and label values)', () => {
  const withLabel = (key: string, value = 'v') => issuesAfter((c) => (c.nodes[plain].labels = { [key]: value }));
  const path = (key: string) => `nodes[${plain}].labels["${key}"]`;

  it('accepts a name of 63 characters, a prefixed key, an empty value and a value of 63 characters', () => {
    expect(withLabel('a'.repeat(63))).toEqual([]);
    expect(withLabel(`${prefix}role`, '')).toEqual([]);
    expect(withLabel(`${prefix}role`, `x${'-'.repeat(61)}y`)).toEqual([]);
    expect(withLabel('a.b_c-d')).toEqual([]);
  });

  it.each([
    ['a name of 64 characters', 'a'.repeat(64)],
    ['a name that starts with "-"', '-role'],
    ['a name that ends with "."', 'role.'],
    ['an empty name', `${prefix}`],
    ['an empty prefix', '/role'],
    ['two "/"', `${prefix}a/b`],
    ['an uppercase prefix', 'Example.org/role'],
    ['a prefix of 254 characters', `${'a'.repeat(254)}/role`],
    ['a space', 'my role'],
  ])('refuses a key with %s', (_, key) => {
    expect(withLabel(key)).toEqual(only(path(key), 'label-key'));
  });

  it.each([
    ['64 characters', 'a'.repeat(64)],
    ['a leading "-"', '-a'],
    ['a "/"', 'a/b'],
    ['a comma (it would split --node-labels)', 'a,b'],
    ['an "=" (it would split --node-labels)', 'a=b'],
  ])('refuses a value with %s', (_, value) => {
    expect(withLabel(`${prefix}role`, value)).toEqual(only(path(`${prefix}role`), 'label-value'));
  });

  it("checks the profiles' labels too", () => {
    expect(issuesAfter((c) => (c.hardware[profileName].labels = { 'bad key': 'v' }))).toEqual(
      only(`hardware.${profileName}.labels["bad key"]`, 'label-key'),
    );
  });
});

describe('labels the kubelet may not set on its own Node (NodeRestriction)', () => {
  it.each([
    'node-role.kubernetes.io/worker',
    'kubernetes.io/role',
    'k8s.io/role',
    'cluster.k8s.io/role',
    'node-restriction.kubernetes.io/pool',
    'topology.kubernetes.io/rack',
    'beta.kubernetes.io/fluentd',
  ])('refuses %s, naming the rule and what is allowed', (key) => {
    const issues = issuesAfter((c) => (c.nodes[plain].labels = { [key]: 'true' }));
    expect(issues).toEqual(only(`nodes[${plain}].labels["${key}"]`, 'node-restriction-label'));
    expect(issues[0].message).toContain('NodeRestriction');
    expect(issues[0].message).toContain('node.kubernetes.io/');
  });

  it.each([
    ...KUBELET_LABELS,
    ...KUBELET_LABEL_NAMESPACES.map((ns) => `${ns}/anything`),
    'gpu.node.kubernetes.io/anything',
    `${prefix}gpu`,
    'unprefixed',
    'example.com/kubernetes.io',
  ])('accepts %s', (key) => {
    expect(issuesAfter((c) => (c.nodes[plain].labels = { [key]: 'x' }))).toEqual([]);
    expect(kubeletMaySet(key)).toBe(true);
  });

  it('allows exactly the set the kubelet 1.36 names in its refusal', () => {
    // "--node-labels in the 'kubernetes.io' namespace must begin with an allowed prefix (...) or be
    // in the specifically allowed set (...)": cmd/kubelet/app/options, k8s.io/api core/v1.
    expect(KUBELET_LABEL_NAMESPACES).toEqual(['kubelet.kubernetes.io', 'node.kubernetes.io']);
    expect([...KUBELET_LABELS].sort()).toEqual(
      'beta.kubernetes.io/arch, beta.kubernetes.io/instance-type, beta.kubernetes.io/os, failure-domain.beta.kubernetes.io/region, failure-domain.beta.kubernetes.io/zone, kubernetes.io/arch, kubernetes.io/hostname, kubernetes.io/os, node.kubernetes.io/instance-type, topology.kubernetes.io/region, topology.kubernetes.io/zone'.split(
        ', ',
      ),
    );
  });
});

describe('taints', () => {
  const withTaints = (taints: Mutable<Cluster>['nodes'][number]['taints']) =>
    issuesAfter((c) => (c.nodes[plain].taints = taints));
  const at = `nodes[${plain}].taints`;

  it('accepts the three effects, with and without a value', () => {
    expect(
      withTaints([
        { key: `${prefix}a`, value: 'x', effect: 'NoSchedule' },
        { key: `${prefix}a`, effect: 'PreferNoSchedule' },
        { key: `${prefix}a`, value: '', effect: 'NoExecute' },
      ]),
    ).toEqual([]);
  });

  it('refuses an effect that is not one of the three, naming them', () => {
    const issues = withTaints([{ key: `${prefix}a`, effect: 'NoScheduling' as 'NoSchedule' }]);
    expect(issues).toEqual(only(`${at}[0].effect`, 'enum'));
    expect(issues[0].message).toBe('"NoScheduling" is not one of "NoSchedule", "PreferNoSchedule", "NoExecute"');
  });

  it('refuses a malformed key and value', () => {
    expect(withTaints([{ key: 'a/b/c', effect: 'NoSchedule' }])).toEqual(only(`${at}[0].key`, 'taint-key'));
    expect(withTaints([{ key: `${prefix}a`, value: 'x:y', effect: 'NoSchedule' }])).toEqual(
      only(`${at}[0].value`, 'taint-value'),
    );
  });

  it('refuses two taints of the same key and effect (one may differ only in effect)', () => {
    expect(
      withTaints([
        { key: `${prefix}a`, value: 'x', effect: 'NoSchedule' },
        { key: `${prefix}a`, value: 'y', effect: 'NoSchedule' },
      ]),
    ).toEqual(only(`${at}[1]`, 'unique-taint'));
  });
});

describe('host directories', () => {
  const dir = (path: string) => ({ path, owner: 'root', group: 'root', mode: '0755' });
  const withDirs = (...dirs: ReturnType<typeof dir>[]) => issuesAfter((c) => (c.nodes[plain].hostDirectories = dirs));
  const at = `nodes[${plain}].hostDirectories`;

  it('accepts a directory under /var/lib/', () => {
    expect(withDirs(dir('/var/lib/app/data'), dir('/var/lib/app'))).toEqual([]);
  });

  it.each(['/etc/app', '/var/lib', '/var/libx/app', '/var/log/app', '/home/ops/models'])(
    'refuses %s (outside /var/lib/)',
    (path) => {
      expect(withDirs(dir(path))).toEqual(only(`${at}[0].path`, 'host-directory-under-var-lib'));
    },
  );

  it.each(['/var/lib/../etc', '/var/lib/app/../../../etc', '/var/lib/./app'])(
    'refuses %s (a . or .. segment)',
    (path) => {
      expect(withDirs(dir(path))).toEqual(only(`${at}[0].path`, 'host-directory-no-dot-segments'));
    },
  );

  it.each(['var/lib/app', '/var/lib/app/', '/var/lib//app', '/var/lib/my app', "/var/lib/a'b"])(
    'refuses %s (not a plain absolute path)',
    (path) => {
      expect(withDirs(dir(path))).toEqual(only(`${at}[0].path`, 'host-path'));
    },
  );

  it('refuses the same directory twice, a bad owner and a bad mode', () => {
    expect(withDirs(dir('/var/lib/app'), dir('/var/lib/app'))).toEqual(only(`${at}[1].path`, 'unique-host-directory'));
    expect(withDirs({ ...dir('/var/lib/app'), owner: 'Root' })).toEqual(only(`${at}[0].owner`, 'account-name'));
    expect(withDirs({ ...dir('/var/lib/app'), mode: '4755' })).toEqual(only(`${at}[0].mode`, 'file-mode'));
    expect(withDirs({ ...dir('/var/lib/app'), mode: '755' })).toEqual(only(`${at}[0].mode`, 'file-mode'));
  });
});

describe('the prefix the model owns', () => {
  it('is a DNS subdomain and "/"', () => {
    expect(issuesAfter((c) => (c.kubernetes.ownedLabelPrefix = prefix.slice(0, -1)))).toEqual(
      only('kubernetes.ownedLabelPrefix', 'label-prefix'),
    );
  });

  it.each(['kubernetes.io/', 'node.kubernetes.io/', 'k8s.io/', 'x.k8s.io/'])("is not Kubernetes' own: %s", (owned) => {
    expect(issuesAfter((c) => (c.kubernetes.ownedLabelPrefix = owned))).toEqual(
      only('kubernetes.ownedLabelPrefix', 'owned-label-prefix'),
    );
  });
});

describe('labels, taints and host directories apply to workers only', () => {
  it.each(['labels', 'taints', 'hostDirectories'] as const)('refuses %s on a control-plane node', (field) => {
    const value = { labels: {}, taints: [], hostDirectories: [] }[field];
    expect(issuesAfter((c) => ((c.nodes[controlPlane] as Record<string, unknown>)[field] = value))).toEqual(
      only(`nodes[${controlPlane}].${field}`, 'worker-only'),
    );
  });
});
