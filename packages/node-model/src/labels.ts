/**
 * Kubernetes' syntax of label keys, label values and taints, and the labels a kubelet may set on
 * its own Node. As k8s.io/apimachinery's validation (IsQualifiedName, IsValidLabelValue,
 * IsDNS1123Subdomain) and k8s.io/kubelet's IsKubeletLabel define them; the kubelet refuses to
 * start with any other kubernetes.io or k8s.io label in --node-labels.
 */

const NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS1123_LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_SUBDOMAIN = new RegExp(`^${DNS1123_LABEL}(\\.${DNS1123_LABEL})*$`);
const NAME_MAX = 63;
const SUBDOMAIN_MAX = 253;

/** Why `name` is not the name part of a qualified name, or undefined. */
function nameProblem(name: string): string | undefined {
  if (name === '') return 'the name part is empty';
  if (name.length > NAME_MAX) return `the name part is longer than ${NAME_MAX} characters`;
  if (!NAME.test(name)) return "the name part must be letters, digits, '-', '_' or '.', a letter or digit at both ends";
  return undefined;
}

/** Why `prefix` is not a DNS subdomain (RFC 1123, lowercase, at most 253 characters), or undefined. */
export function subdomainProblem(prefix: string): string | undefined {
  if (prefix.length > SUBDOMAIN_MAX) return `the prefix is longer than ${SUBDOMAIN_MAX} characters`;
  if (!DNS1123_SUBDOMAIN.test(prefix)) return 'the prefix must be a lowercase DNS subdomain (RFC 1123)';
  return undefined;
}

/** Why `key` is not a qualified name (`[<DNS subdomain>/]<name>`), or undefined. */
export function qualifiedNameProblem(key: string): string | undefined {
  const parts = key.split('/');
  if (parts.length > 2) return "a qualified name has at most one '/'";
  if (parts.length === 1) return nameProblem(key);
  return (parts[0] === '' ? 'the prefix before / is empty' : subdomainProblem(parts[0])) ?? nameProblem(parts[1]);
}

/** Why `value` is not a label value (empty, or a name of at most 63 characters), or undefined. */
export function labelValueProblem(value: string): string | undefined {
  if (value === '') return undefined;
  if (value.length > NAME_MAX) return `longer than ${NAME_MAX} characters`;
  if (!NAME.test(value)) return "must be letters, digits, '-', '_' or '.', a letter or digit at both ends";
  return undefined;
}

/** The prefix of a key (`lolice.io` of `lolice.io/gpu-worker`); '' without one. */
export const labelNamespace = (key: string): string => (key.includes('/') ? key.slice(0, key.indexOf('/')) : '');

/** kubernetes.io, k8s.io and their subdomains: reserved for Kubernetes itself. */
export const isKubernetesNamespace = (ns: string): boolean =>
  ns === 'kubernetes.io' || ns.endsWith('.kubernetes.io') || ns === 'k8s.io' || ns.endsWith('.k8s.io');

/** The Kubernetes labels a kubelet may set on its own Node (k8s.io/api core/v1 KubeletLabels). */
export const KUBELET_LABELS: readonly string[] = [
  'beta.kubernetes.io/arch',
  'beta.kubernetes.io/instance-type',
  'beta.kubernetes.io/os',
  'failure-domain.beta.kubernetes.io/region',
  'failure-domain.beta.kubernetes.io/zone',
  'kubernetes.io/arch',
  'kubernetes.io/hostname',
  'kubernetes.io/os',
  'node.kubernetes.io/instance-type',
  'topology.kubernetes.io/region',
  'topology.kubernetes.io/zone',
];

/** The prefixes under which a kubelet may set any label on its own Node (and their subdomains). */
export const KUBELET_LABEL_NAMESPACES: readonly string[] = ['kubelet.kubernetes.io', 'node.kubernetes.io'];

/**
 * Whether a kubelet may register with this label (--node-labels): any key outside kubernetes.io
 * and k8s.io, and there only the allowed keys and prefixes. NodeRestriction refuses the others
 * (node-role.kubernetes.io/, node-restriction.kubernetes.io/...), and the kubelet does not start.
 */
export function kubeletMaySet(key: string): boolean {
  const ns = labelNamespace(key);
  if (!isKubernetesNamespace(ns) || KUBELET_LABELS.includes(key)) return true;
  return KUBELET_LABEL_NAMESPACES.some((allowed) => ns === allowed || ns.endsWith(`.${allowed}`));
}
