import * as ipaddr from 'ipaddr.js';

/**
 * Named string formats of the model. Each name is the rule an error message
 * reports, so a reader sees which rule a value broke.
 */
export const formats: Record<string, RegExp | ((value: string) => boolean)> = {
  /** RFC 1123 hostname label: lowercase letters, digits and '-', 1-63 chars, alphanumeric at both ends. */
  'rfc1123-hostname': /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/,
  /** RFC 1123 DNS name: dot-separated RFC 1123 labels. */
  'rfc1123-domain': /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/,
  /** Dotted-quad IPv4 address in its canonical form. */
  ipv4: (value) => ipaddr.IPv4.isValidFourPartDecimal(value),
  /** IPv4 network in CIDR form whose address is the network address itself. */
  'ipv4-cidr': (value) => {
    try {
      const [addr, prefix] = ipaddr.IPv4.parseCIDR(value);
      return ipaddr.IPv4.networkAddressFromCIDR(value).toString() === addr.toString() && value === `${addr}/${prefix}`;
    } catch {
      return false;
    }
  },
  /** Kubernetes minor series such as "1.32". */
  'minor-version': /^[1-9][0-9]*\.(0|[1-9][0-9]*)$/,
  /** pkgs.k8s.io Debian package version such as "1.32.0-1.1". */
  'k8s-package-version': /^[1-9][0-9]*\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)-[0-9]+\.[0-9]+$/,
  /** Ubuntu point release such as "24.04.3". */
  'ubuntu-release': /^[0-9]{2}\.(04|10)(\.[0-9]+)?$/,
  /** sha256 digest: 64 lowercase hexadecimal digits. */
  sha256: /^[0-9a-f]{64}$/,
  /** https URL. */
  'https-url': /^https:\/\/[^\s/$.?#][^\s]*$/,
  /** 12-digit AWS account id. */
  'aws-account-id': /^[0-9]{12}$/,
  /** AWS region such as "ap-northeast-1". */
  'aws-region': /^[a-z]{2}(-gov)?-[a-z]+-[0-9]$/,
  /** S3 bucket name (lowercase, digits, '-', '.', 3-63 chars). */
  's3-bucket': /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
  /** S3 key prefix without leading or trailing '/'. */
  's3-prefix': /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/,
  /** IAM role name. */
  'iam-role-name': /^[A-Za-z0-9+=,.@_-]{1,64}$/,
  /** GitHub repository "owner/name". */
  'github-repository': /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/,
  /** GitHub user name. */
  'github-user': /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/,
  /** git branch name (conservative subset). */
  'git-branch': /^[A-Za-z0-9._/-]+$/,
  /** POSIX login name. */
  'posix-user': /^[a-z_][a-z0-9_-]{0,31}$/,
};
