import * as ipaddr from 'ipaddr.js';
import type { ValidationIssue } from './errors';
import { serviceSubnet } from './query';
import type { Cluster } from './types';

/** A LAN's prefix lengths: /16 (65,534 hosts) to /30 (two hosts). */
export const SUBNET_PREFIX = { min: 16, max: 30 } as const;

/** kube-apiserver refuses a service range of more than 20 host bits (`--service-cluster-ip-range`). */
export const MIN_SERVICE_PREFIX = 12;

/** ipaddr.js ranges no LAN, Service or DNS server lives in: not unicast, or not on any network. */
const NOT_UNICAST = new Set(['unspecified', 'broadcast', 'multicast', 'linkLocal', 'loopback']);
/** Nor is a DNS server in a reserved, documentation or benchmarking range. */
const NOT_A_SERVER = new Set([...NOT_UNICAST, 'reserved']);

const RANGE_NAMES: Readonly<Record<string, string>> = {
  unspecified: 'unspecified (0.0.0.0/8)',
  broadcast: 'the limited broadcast address',
  multicast: 'multicast (224.0.0.0/4)',
  linkLocal: 'link-local (169.254.0.0/16)',
  loopback: 'loopback (127.0.0.0/8)',
  reserved: 'reserved, documentation or benchmarking space',
};

type Cidr = [ipaddr.IPv4, number];
const parse = (cidr: string): Cidr => ipaddr.IPv4.parseCIDR(cidr);
const first = (cidr: string) => ipaddr.IPv4.networkAddressFromCIDR(cidr);
const last = (cidr: string) => ipaddr.IPv4.broadcastAddressFromCIDR(cidr);
const inCidr = (ip: string | ipaddr.IPv4, cidr: string) =>
  (typeof ip === 'string' ? ipaddr.IPv4.parse(ip) : ip).match(parse(cidr));
/** The address after `ip` (never called on 255.255.255.255: a network's first address is even). */
const next = (ip: ipaddr.IPv4): ipaddr.IPv4 => {
  const n = ip.toByteArray().reduce((acc, byte) => acc * 256 + byte, 0) + 1;
  return new ipaddr.IPv4([3, 2, 1, 0].map((k) => Math.floor(n / 256 ** k) % 256));
};

/** The special range of a network's first or last address that rules it out, if any. */
function badRangeOf(cidr: string, bad: ReadonlySet<string>): string | undefined {
  return [first(cidr).range(), last(cidr).range()].find((r) => bad.has(r));
}

/** The node subnet and the service subnet: LAN-sized, unicast, apart. */
function checkSubnets(c: Cluster): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const { subnet } = c.network;
  const prefix = parse(subnet)[1];
  if (prefix < SUBNET_PREFIX.min || prefix > SUBNET_PREFIX.max) {
    issues.push({
      path: 'network.subnet',
      rule: 'subnet-prefix',
      message: `/${prefix} is outside /${SUBNET_PREFIX.min} to /${SUBNET_PREFIX.max}, the prefix lengths of a LAN`,
    });
  }
  const services = serviceSubnet(c);
  const servicesPath = 'kubernetes.serviceSubnet';
  for (const [path, cidr] of [
    ['network.subnet', subnet],
    [servicesPath, services],
  ]) {
    const bad = badRangeOf(cidr, NOT_UNICAST);
    if (bad) {
      issues.push({ path, rule: 'unicast-subnet', message: `${cidr} is ${RANGE_NAMES[bad]}, not unicast addresses` });
    }
  }
  if (parse(services)[1] < MIN_SERVICE_PREFIX) {
    issues.push({
      path: servicesPath,
      rule: 'service-subnet-size',
      message: `${services} is larger than /${MIN_SERVICE_PREFIX}, the largest service range Kubernetes allows`,
    });
  }
  if (inCidr(first(services), subnet) || inCidr(first(subnet), services)) {
    issues.push({
      path: servicesPath,
      rule: 'service-subnet-apart',
      message: `${services} overlaps the node subnet ${subnet}: a Service address would shadow a host on the LAN`,
    });
  }
  return issues;
}

/**
 * The cluster DNS Service's address: inside the service subnet, and none of its network, first
 * (the `kubernetes` Service's, which kube-apiserver takes) or broadcast addresses; never an
 * address the LAN uses.
 */
function checkClusterDns(c: Cluster): ValidationIssue[] {
  const path = 'kubernetes.clusterDns';
  const rule = 'cluster-dns-is-service-ip';
  const dns = c.kubernetes.clusterDns;
  const taken: [string, string][] = [
    ['gateway', c.network.gateway],
    ['control-plane VIP', c.kubernetes.controlPlaneVip],
    ...c.nodes.map((n): [string, string] => [`address of ${n.name}`, n.ip]),
  ];
  const used = taken.filter(([, addr]) => addr === dns);
  if (used.length > 0) {
    return used.map(([what]) => ({ path, rule, message: `${dns} is the ${what}, not a service address` }));
  }
  const services = serviceSubnet(c);
  if (!inCidr(dns, services)) {
    return [{ path, rule, message: `${dns} is outside the service subnet ${services} (kubernetes.serviceSubnet)` }];
  }
  const reserved: [string, ipaddr.IPv4][] = [
    ['network address', first(services)],
    ["first address (the kubernetes Service's)", next(first(services))],
    ['broadcast address', last(services)],
  ];
  return reserved
    .filter(([, addr]) => addr.toString() === dns)
    .map(([what]) => ({ path, rule, message: `${dns} is the ${what} of the service subnet ${services}` }));
}

/** Each DNS server of the nodes: a unicast server address, on neither edge of the LAN, not a Service. */
function checkDnsServers(c: Cluster): ValidationIssue[] {
  const { subnet } = c.network;
  const services = serviceSubnet(c);
  return c.network.dnsServers.flatMap((server, i): ValidationIssue[] => {
    const path = `network.dnsServers[${i}]`;
    const range = ipaddr.IPv4.parse(server).range();
    if (NOT_A_SERVER.has(range)) {
      return [{ path, rule: 'dns-server-unicast', message: `${server} is ${RANGE_NAMES[range]}, not a DNS server` }];
    }
    const edge =
      server === first(subnet).toString() ? 'network' : server === last(subnet).toString() ? 'broadcast' : '';
    if (edge) {
      return [
        { path, rule: 'dns-server-unicast', message: `${server} is the ${edge} address of the subnet ${subnet}` },
      ];
    }
    if (inCidr(server, services)) {
      return [
        {
          path,
          rule: 'dns-server-outside-services',
          message: `${server} is in the service subnet ${services}: the cluster DNS forwards to the nodes' servers, a loop`,
        },
      ];
    }
    return [];
  });
}

/** `lo` matches a netplan name pattern (shell glob: `*` any run, `?` one character). */
const matchesLoopback = (pattern: string): boolean =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  ).test('lo');

/** The port a node's address goes to: a wired card, never the loopback, a multicast or the zero MAC. */
function checkPorts(c: Cluster): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const loopback = 'matches lo, the loopback interface: the address would never reach the wired port';
  c.nodes.forEach((n, i) => {
    if (n.port?.name && matchesLoopback(n.port.name)) {
      issues.push({ path: `nodes[${i}].port.name`, rule: 'wired-port', message: `"${n.port.name}" ${loopback}` });
    }
    const mac = n.port?.mac;
    if (mac === undefined) return;
    const octets = mac.split(':').map((o) => parseInt(o, 16));
    if (octets.every((o) => o === 0)) {
      issues.push({
        path: `nodes[${i}].port.mac`,
        rule: 'unicast-mac',
        message: `${mac} is the zero address: no card has it`,
      });
    } else if (octets[0] % 2 === 1) {
      issues.push({
        path: `nodes[${i}].port.mac`,
        rule: 'unicast-mac',
        message: `${mac} is a multicast address (the low bit of its first octet is set): no card has it`,
      });
    }
  });
  for (const [name, p] of Object.entries(c.hardware)) {
    if (p.defaultPortPattern && matchesLoopback(p.defaultPortPattern)) {
      issues.push({
        path: `hardware.${name}.defaultPortPattern`,
        rule: 'wired-port',
        message: `"${p.defaultPortPattern}" ${loopback}`,
      });
    }
  }
  return issues;
}

/** What the network fields mean, beyond their form: LAN and Service ranges, DNS, ports. */
export function checkNetwork(c: Cluster): ValidationIssue[] {
  return [...checkSubnets(c), ...checkClusterDns(c), ...checkDnsServers(c), ...checkPorts(c)];
}
