import type { ValidationIssue } from './errors';
import {
  isKubernetesNamespace,
  KUBELET_LABEL_NAMESPACES,
  KUBELET_LABELS,
  kubeletMaySet,
  labelValueProblem,
  qualifiedNameProblem,
} from './labels';
import type { Cluster, HostDirectory, NodeLabels, NodeTaint } from './types';

/** The path of one label: `nodes[6].labels["lolice.io/gpu-worker"]`. */
const at = (path: string, key: string) => `${path}["${key}"]`;

function checkLabels(path: string, labels: NodeLabels | undefined): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const [key, value] of Object.entries(labels ?? {})) {
    const keyProblem = qualifiedNameProblem(key);
    if (keyProblem) {
      issues.push({ path: at(path, key), rule: 'label-key', message: `"${key}" is not a label key: ${keyProblem}` });
    } else if (!kubeletMaySet(key)) {
      issues.push({
        path: at(path, key),
        rule: 'node-restriction-label',
        message:
          `the kubelet may not register with "${key}": under kubernetes.io and k8s.io only the prefixes ` +
          `${KUBELET_LABEL_NAMESPACES.map((ns) => `${ns}/`).join(', ')} and the keys ${KUBELET_LABELS.join(', ')} ` +
          'pass NodeRestriction (the kubelet refuses to start with any other); use a prefix of your own',
      });
    }
    const valueProblem = labelValueProblem(value);
    if (valueProblem) {
      issues.push({
        path: at(path, key),
        rule: 'label-value',
        message: `"${value}" is not a label value: ${valueProblem}`,
      });
    }
  }
  return issues;
}

function checkTaints(path: string, taints: readonly NodeTaint[] | undefined): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const seen = new Map<string, number>();
  (taints ?? []).forEach((t, i) => {
    const keyProblem = qualifiedNameProblem(t.key);
    if (keyProblem) {
      issues.push({
        path: `${path}[${i}].key`,
        rule: 'taint-key',
        message: `"${t.key}" is not a taint key: ${keyProblem}`,
      });
    }
    const valueProblem = labelValueProblem(t.value ?? '');
    if (valueProblem) {
      issues.push({
        path: `${path}[${i}].value`,
        rule: 'taint-value',
        message: `"${t.value}" is not a taint value: ${valueProblem}`,
      });
    }
    const first = seen.get(`${t.key} ${t.effect}`);
    if (first === undefined) {
      seen.set(`${t.key} ${t.effect}`, i);
    } else {
      issues.push({
        path: `${path}[${i}]`,
        rule: 'unique-taint',
        message: `${t.key}:${t.effect} is already ${path}[${first}] (a node has one taint per key and effect)`,
      });
    }
  });
  return issues;
}

function checkHostDirectories(path: string, dirs: readonly HostDirectory[] | undefined): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const seen = new Map<string, number>();
  (dirs ?? []).forEach((d, i) => {
    const segments = d.path.split('/').slice(1);
    if (segments.some((s) => s === '.' || s === '..')) {
      issues.push({
        path: `${path}[${i}].path`,
        rule: 'host-directory-no-dot-segments',
        message: `${d.path} contains a "." or ".." segment: name the directory itself`,
      });
    } else if (!d.path.startsWith('/var/lib/')) {
      issues.push({
        path: `${path}[${i}].path`,
        rule: 'host-directory-under-var-lib',
        message: `${d.path} is outside /var/lib/: a workload's host directory lives under /var/lib/<name>/`,
      });
    }
    const first = seen.get(d.path);
    if (first === undefined) {
      seen.set(d.path, i);
    } else {
      issues.push({
        path: `${path}[${i}].path`,
        rule: 'unique-host-directory',
        message: `${d.path} is already ${path}[${first}]`,
      });
    }
  });
  return issues;
}

/**
 * Labels and taints (Kubernetes' syntax, what the kubelet may register with), host directories
 * (under /var/lib/, no "." or ".."), and the prefix the model owns (not Kubernetes' own).
 */
export function checkScheduling(c: Cluster): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const prefix = c.kubernetes.ownedLabelPrefix;
  if (isKubernetesNamespace(prefix.slice(0, -1))) {
    issues.push({
      path: 'kubernetes.ownedLabelPrefix',
      rule: 'owned-label-prefix',
      message: `${prefix} belongs to Kubernetes: the kubelet and controllers set labels there, which the model must never remove`,
    });
  }
  for (const [name, p] of Object.entries(c.hardware)) {
    issues.push(
      ...checkLabels(`hardware.${name}.labels`, p.labels),
      ...checkTaints(`hardware.${name}.taints`, p.taints),
    );
  }
  c.nodes.forEach((n, i) => {
    const path = `nodes[${i}]`;
    issues.push(
      ...checkLabels(`${path}.labels`, n.labels),
      ...checkTaints(`${path}.taints`, n.taints),
      ...checkHostDirectories(`${path}.hostDirectories`, n.hostDirectories),
    );
    for (const field of ['labels', 'taints', 'hostDirectories'] as const) {
      if (n.role === 'control-plane' && n[field] !== undefined) {
        issues.push({
          path: `${path}.${field}`,
          rule: 'worker-only',
          message: `is applied to workers only: nothing here configures the control plane (${n.name})`,
        });
      }
    }
  });
  return issues;
}
