import * as ipaddr from 'ipaddr.js';
import { schedulingFormats } from './scheduling-schema';
import { isPlainYamlWord } from './yaml';

const githubUser = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;

/**
 * Accounts and groups that exist on Ubuntu 24.04 and Debian systems (base-passwd, systemd and
 * the packages of a server install): the admin must be a person's own, new account.
 */
export const SYSTEM_ACCOUNTS: ReadonlySet<string> = new Set([
  'root',
  'daemon',
  'bin',
  'sys',
  'sync',
  'games',
  'man',
  'lp',
  'mail',
  'news',
  'uucp',
  'proxy',
  'www-data',
  'backup',
  'list',
  'irc',
  'gnats',
  'nobody',
  'nogroup',
  '_apt',
  'messagebus',
  'syslog',
  'sshd',
  'tss',
  'uuidd',
  'tcpdump',
  'landscape',
  'pollinate',
  'fwupd-refresh',
  'usbmux',
  'dnsmasq',
  'lxd',
  'polkitd',
  'dhcpcd',
  'avahi',
  'ntp',
  'systemd-network',
  'systemd-resolve',
  'systemd-timesync',
  'systemd-coredump',
  'systemd-journal',
  'admin',
  'sudo',
  'adm',
  'staff',
  'users',
  'ubuntu',
]);

/**
 * `git check-ref-format --branch` rules for a branch name, in the alphabet [A-Za-z0-9._/-]: the
 * branch reaches GitHub expressions (`github.ref == 'refs/heads/<branch>'`), branch filters
 * (globs) and the IAM trust policy, where ' | $ { } " and * would be syntax.
 */
function isGitBranch(value: string): boolean {
  if (!/^[A-Za-z0-9._/-]+$/.test(value)) return false;
  // `--branch` reads '@' as HEAD, and refuses HEAD as a branch name.
  if (
    value === '' ||
    value === '@' ||
    value === 'HEAD' ||
    value.startsWith('-') ||
    value.endsWith('/') ||
    value.endsWith('.')
  ) {
    return false;
  }
  // eslint-disable-next-line no-control-regex -- control characters are what this rule refuses
  if (/[\x00-\x20\x7f~^:?*[\\]/.test(value) || value.includes('..') || value.includes('@{') || value.includes('//')) {
    return false;
  }
  return value.split('/').every((c) => c !== '' && !c.startsWith('.') && !c.endsWith('.lock'));
}

/**
 * Named string formats of the model. Each name is the rule an error message
 * reports, so a reader sees which rule a value broke.
 */
export const formats: Record<string, RegExp | ((value: string) => boolean)> = {
  ...schedulingFormats,
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
  /**
   * https URL that the WHATWG URL parser accepts, without the characters RFC 3986 never allows
   * unencoded (" < > \\ ^ ` { | }) and without ' and $ (they end or expand a shell word): a URL
   * reaches apt sources, HCL and shell steps as it is.
   */
  'https-url': (value) => /^https:\/\/[^\s/$.?#][^\s"'<>\\^`{|}$]*$/.test(value) && URL.canParse(value),
  /**
   * A URL without user information (`user:password@`): a credential in the model would be
   * committed, and written to every node (an APT source file is world-readable).
   */
  'url-without-userinfo': (value) => !/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(value),
  /**
   * A word YAML 1.1 and 1.2 readers both read as this string, written as it is: not a boolean
   * (`no`, `on`, `y`), null, number (`1.5`, `0o17`, `1_000`) or date. Names the project uses
   * as plain words (node, profile, user, package...) must be one.
   */
  'yaml-plain-word': (value) => isPlainYamlWord(value),
  /** 12-digit AWS account id. */
  'aws-account-id': /^[0-9]{12}$/,
  /** AWS region such as "ap-northeast-1". */
  'aws-region': /^[a-z]{2}(-gov)?-[a-z]+-[0-9]$/,
  /**
   * S3 bucket name per S3's general-purpose bucket naming rules: 3-63 characters of lowercase
   * letters, digits, '.' and '-', a letter or digit at both ends, no '..', not an IPv4
   * address, none of the reserved prefixes and suffixes.
   */
  's3-bucket': (value) =>
    /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(value) &&
    !value.includes('..') &&
    !/^\d+\.\d+\.\d+\.\d+$/.test(value) &&
    !/^(xn--|sthree-|amzn-s3-demo-)/.test(value) &&
    !/(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/.test(value),
  /** S3 key prefix: '/'-separated segments of [A-Za-z0-9_.-], no leading, trailing or double '/', no '.' or '..' segment. */
  's3-prefix': (value) =>
    /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/.test(value) && value.split('/').every((seg) => seg !== '.' && seg !== '..'),
  /** IAM role name. */
  'iam-role-name': /^[A-Za-z0-9+=,.@_-]{1,64}$/,
  /**
   * GitHub repository "owner/name": an owner per 'github-user', a name of 1-100 letters,
   * digits, '.', '_' or '-' that is not '.' or '..' and does not end in '.git'.
   */
  'github-repository': (value) => {
    const [owner, name, ...rest] = value.split('/');
    return (
      rest.length === 0 &&
      name !== undefined &&
      githubUser.test(owner) &&
      /^[A-Za-z0-9._-]{1,100}$/.test(name) &&
      name !== '.' &&
      name !== '..' &&
      !/\.git$/i.test(name)
    );
  },
  /** GitHub user or organization: 1-39 letters, digits and single '-' between them (no leading, trailing or double '-'). */
  'github-user': (value) => githubUser.test(value),
  /** git branch name per `git check-ref-format --branch`, of letters, digits and . _ / - only. */
  'git-branch': (value) => isGitBranch(value),
  /** POSIX login name of a person (not root, not a system account of Ubuntu or Debian). */
  'posix-user': (value) => /^[a-z_][a-z0-9_-]{0,31}$/.test(value) && !SYSTEM_ACCOUNTS.has(value),
  /** Hardware profile name: lowercase letters, digits and '_', starting with a letter (an Ansible and HCL key as it is). */
  'profile-name': /^[a-z][a-z0-9_]{0,39}$/,
  /** A file name under /etc/apt: lowercase letters, digits and '-'. */
  'profile-file-name': /^[a-z0-9][a-z0-9-]{0,39}$/,
  /** Linux network interface name as the kernel gives it (1-15 characters, e.g. enp44s0). */
  'interface-name': /^[a-z][a-z0-9]{0,14}$/,
  /** netplan interface-name pattern of a one-port machine, e.g. en* (letters and digits, one trailing '*'). */
  'interface-pattern': /^[a-z][a-z0-9]{0,13}\*?$/,
  /** MAC address, lowercase, colon-separated (as `ip link` prints it). */
  'mac-address': /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/,
  /** Debian package name. */
  'debian-package': /^[a-z0-9][a-z0-9+.-]+$/,
  /**
   * A package of a hardware profile that is no DKMS package (`dkms`, `r8125-dkms`,
   * `nvidia-dkms-550`): DKMS builds modules outside the distribution's signed kernel packages,
   * which Secure Boot's lockdown refuses to load.
   */
  'no-dkms-package': (value) => !value.split('-').includes('dkms'),
  /** APT suite or component, or a kernel flavour. */
  'apt-word': /^[a-z0-9][a-z0-9.-]*$/,
  /** Kernel module name as modinfo takes it. */
  'kernel-module': /^[a-z0-9][a-z0-9_-]*$/,
  /** Path of a firmware file relative to /lib/firmware (no '..', no leading '/'). */
  'firmware-file': (value) =>
    /^[A-Za-z0-9_.+-]+(\/[A-Za-z0-9_.+-]+)*$/.test(value) &&
    value.split('/').every((seg) => seg !== '.' && seg !== '..'),
  /** OpenPGP v4 fingerprint: 40 uppercase hexadecimal digits. */
  'openpgp-fingerprint': /^[0-9A-F]{40}$/,
  /**
   * One line of plain text, safe in Markdown tables, YAML and HCL strings and shell words as
   * they are quoted here: letters, digits, spaces and . , ( ) + / : - (1-120 characters).
   */
  'plain-text': /^[A-Za-z0-9][A-Za-z0-9 .,()+/:-]{0,119}$/,
  /**
   * An ssh ProxyCommand, as it is placed inside -o ProxyCommand="..." (shlex-split by Ansible):
   * one line of words made of letters, digits and % . _ : / = @ , + -, no quotes or backslashes.
   */
  'ssh-proxy-command': /^[A-Za-z0-9%._:/=@,+-]+( [A-Za-z0-9%._:/=@,+-]+)*$/,
};
