import * as ipaddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';
import { variant, type Mutable } from '../../../test/lib/model';
import {
  DEFAULT_SERVICE_SUBNET,
  exampleCluster as example,
  serviceSubnet,
  validateCluster,
  type Cluster,
  type ValidationIssue,
} from '../src';

/**
 * Network fields valid in form, wrong in meaning: what netplan, kubelet and kube-apiserver would
 * do with them. GIVEN a variant of the example model, WHEN it is validated, THEN these issues.
 */
const issuesAfter = (edit: (c: Mutable<Cluster>) => void): ValidationIssue[] => validateCluster(variant(example, edit));
const only = (path: string, rule: string) => [{ path, rule, message: expect.any(String) }];
const rulesAt = (issues: ValidationIssue[], path: string) => issues.filter((i) => i.path === path).map((i) => i.rule);

const subnet = example.network.subnet;
const [subnetAddress, subnetPrefix] = ipaddr.IPv4.parseCIDR(subnet);
const network = ipaddr.IPv4.networkAddressFromCIDR(subnet).toString();
const broadcast = ipaddr.IPv4.broadcastAddressFromCIDR(subnet).toString();
const services = serviceSubnet(example);
const servicesNetwork = ipaddr.IPv4.networkAddressFromCIDR(services);
const servicesBroadcast = ipaddr.IPv4.broadcastAddressFromCIDR(services).toString();
/** The n-th address of a network (0: the network address). */
const nth = (cidr: string, n: number) => {
  const base = ipaddr.IPv4.networkAddressFromCIDR(cidr).toByteArray();
  const value = base.reduce((a, b) => a * 256 + b, 0) + n;
  return [3, 2, 1, 0].map((k) => Math.floor(value / 256 ** k) % 256).join('.');
};

/**
 * The example model moved to another network of the same size: every address of its subnet keeps
 * its host part (gateway, VIP, nodes, DNS servers on the LAN), so only the subnet itself can be wrong.
 */
function movedTo(cidr: string): Cluster {
  const num = (ip: string) =>
    ipaddr.IPv4.parse(ip)
      .toByteArray()
      .reduce((a, b) => a * 256 + b, 0);
  const offset = num(ipaddr.IPv4.parseCIDR(cidr)[0].toString()) - num(network);
  const move = (ip: string) => {
    if (!ipaddr.IPv4.parse(ip).match([subnetAddress, subnetPrefix])) return ip;
    const moved = num(ip) + offset;
    return [3, 2, 1, 0].map((k) => Math.floor(moved / 256 ** k) % 256).join('.');
  };
  return variant(example, (c) => {
    c.network.subnet = cidr;
    c.network.gateway = move(c.network.gateway);
    c.network.dnsServers = c.network.dnsServers.map(move);
    c.kubernetes.controlPlaneVip = move(c.kubernetes.controlPlaneVip);
    c.nodes.forEach((n) => (n.ip = move(n.ip)));
  });
}

describe('the node subnet', () => {
  it('the example model moved to another private network of its size stays valid (the helper moves everything)', () => {
    expect(validateCluster(movedTo(`192.168.77.0/${subnetPrefix}`))).toEqual([]);
  });

  it.each([0, 1, 8, 15])('refuses the prefix /%i: wider than a LAN', (prefix) => {
    const wide = `${ipaddr.IPv4.networkAddressFromCIDR(`${network}/${prefix}`)}/${prefix}`;
    // (a wide subnet may also swallow the service subnet, or start at 0.0.0.0: other rules say so)
    expect(issuesAfter((c) => (c.network.subnet = wide)).filter((i) => i.path === 'network.subnet')).toContainEqual({
      path: 'network.subnet',
      rule: 'subnet-prefix',
      message: `/${prefix} is outside /16 to /30, the prefix lengths of a LAN`,
    });
  });

  it.each([31, 32])('refuses the prefix /%i: no room for a gateway and a host', (prefix) => {
    const narrow = `${nth(subnet, 0)}/${prefix}`;
    expect(
      rulesAt(
        issuesAfter((c) => (c.network.subnet = narrow)),
        'network.subnet',
      ),
    ).toEqual(['subnet-prefix']);
  });

  it('accepts /16, the widest LAN prefix', () => {
    const wide = `${ipaddr.IPv4.networkAddressFromCIDR(`${network}/16`)}/16`;
    expect(issuesAfter((c) => (c.network.subnet = wide))).toEqual([]);
  });

  it.each([
    ['unspecified', '0.0.0.0'],
    ['loopback', '127.0.0.0'],
    ['link-local', '169.254.0.0'],
    ['multicast', '224.0.0.0'],
  ])('refuses a %s subnet', (_what, base) => {
    const cidr = `${base.split('.').slice(0, 3).join('.')}.0/${subnetPrefix}`;
    // (the DNS server on the LAN moves with it, and is refused on its own)
    expect(rulesAt(validateCluster(movedTo(cidr)), 'network.subnet')).toEqual(['unicast-subnet']);
  });
});

describe('the DNS servers of the nodes', () => {
  it.each([
    ['unspecified', '0.0.0.0'],
    ['the limited broadcast address', '255.255.255.255'],
    ['multicast (mDNS)', '224.0.0.251'],
    ['link-local', '169.254.169.254'],
    ["loopback (systemd-resolved's stub)", '127.0.0.53'],
    ['documentation space', '192.0.2.53'],
    ['benchmarking space', '198.18.0.1'],
    ['reserved (240/4)', '240.0.0.1'],
    ['the subnet network address', network],
    ['the subnet broadcast address', broadcast],
  ])('refuses %s', (_what, server) => {
    expect(issuesAfter((c) => (c.network.dnsServers = [server]))).toEqual(
      only('network.dnsServers[0]', 'dns-server-unicast'),
    );
  });

  it('refuses an address of the service subnet: the cluster DNS would forward to itself', () => {
    expect(issuesAfter((c) => (c.network.dnsServers = [c.kubernetes.clusterDns]))).toEqual(
      only('network.dnsServers[0]', 'dns-server-outside-services'),
    );
  });

  it.each([
    ['a public resolver', '9.9.9.9'],
    ['the gateway', example.network.gateway],
    ['a CGNAT address (a tailnet resolver)', '100.100.100.100'],
    ['another private network', '172.16.0.53'],
  ])('accepts %s', (_what, server) => {
    expect(issuesAfter((c) => (c.network.dnsServers = [server]))).toEqual([]);
  });

  it('names each server that is wrong by its index', () => {
    const issues = issuesAfter((c) => (c.network.dnsServers = [...c.network.dnsServers, '0.0.0.0']));
    expect(issues).toEqual(only(`network.dnsServers[${example.network.dnsServers.length}]`, 'dns-server-unicast'));
  });
});

describe('the service subnet and the cluster DNS address', () => {
  it('the example model names its own service subnet, with clusterDns inside', () => {
    expect(example.kubernetes.serviceSubnet).toBeDefined();
    expect(ipaddr.IPv4.parse(example.kubernetes.clusterDns).match(ipaddr.IPv4.parseCIDR(services))).toBe(true);
  });

  it("defaults to kubeadm's 10.96.0.0/12", () => {
    const defaulted = variant(example, (c) => delete c.kubernetes.serviceSubnet);
    expect(serviceSubnet(defaulted)).toBe(DEFAULT_SERVICE_SUBNET);
    expect(DEFAULT_SERVICE_SUBNET).toBe('10.96.0.0/12');
    expect(
      validateCluster(variant(defaulted, (c) => (c.kubernetes.clusterDns = nth(DEFAULT_SERVICE_SUBNET, 10)))),
    ).toEqual([]);
    expect(validateCluster(variant(defaulted, (c) => (c.kubernetes.clusterDns = '10.112.0.10')))).toEqual(
      only('kubernetes.clusterDns', 'cluster-dns-is-service-ip'),
    );
  });

  it('refuses a clusterDns outside the service subnet, in a message that names the subnet', () => {
    const outside = nth(`${ipaddr.IPv4.broadcastAddressFromCIDR(services)}/32`, 11);
    expect(issuesAfter((c) => (c.kubernetes.clusterDns = outside))).toEqual([
      {
        path: 'kubernetes.clusterDns',
        rule: 'cluster-dns-is-service-ip',
        message: `${outside} is outside the service subnet ${services} (kubernetes.serviceSubnet)`,
      },
    ]);
  });

  it.each([
    ['network address', servicesNetwork.toString()],
    ["first address (the kubernetes Service's)", nth(services, 1)],
    ['broadcast address', servicesBroadcast],
  ])('refuses a clusterDns that is the %s of the service subnet', (what, dns) => {
    expect(issuesAfter((c) => (c.kubernetes.clusterDns = dns))).toEqual([
      {
        path: 'kubernetes.clusterDns',
        rule: 'cluster-dns-is-service-ip',
        message: `${dns} is the ${what} of the service subnet ${services}`,
      },
    ]);
  });

  it('refuses a service subnet that overlaps the node subnet, either way round', () => {
    const around = `${ipaddr.IPv4.networkAddressFromCIDR(`${network}/16`)}/16`;
    const inside = `${nth(subnet, 128)}/${subnetPrefix + 1}`;
    for (const overlapping of [around, inside, subnet]) {
      const issues = issuesAfter((c) => {
        c.kubernetes.serviceSubnet = overlapping;
        c.kubernetes.clusterDns = nth(overlapping, 100);
      });
      expect(rulesAt(issues, 'kubernetes.serviceSubnet'), overlapping).toEqual(['service-subnet-apart']);
    }
  });

  it('refuses a service range larger than /12 (kube-apiserver refuses it) and accepts /12', () => {
    const sized = (prefix: number) => `${ipaddr.IPv4.networkAddressFromCIDR(`${servicesNetwork}/${prefix}`)}/${prefix}`;
    expect(issuesAfter((c) => (c.kubernetes.serviceSubnet = sized(11)))).toEqual(
      only('kubernetes.serviceSubnet', 'service-subnet-size'),
    );
    expect(issuesAfter((c) => (c.kubernetes.serviceSubnet = sized(12)))).toEqual([]);
  });

  it('refuses a loopback service subnet', () => {
    const issues = issuesAfter((c) => {
      c.kubernetes.serviceSubnet = '127.96.0.0/16';
      c.kubernetes.clusterDns = '127.96.0.10';
    });
    expect(issues).toEqual(only('kubernetes.serviceSubnet', 'unicast-subnet'));
  });

  it('refuses a service subnet that is not a network address', () => {
    expect(issuesAfter((c) => (c.kubernetes.serviceSubnet = `${nth(services, 5)}/${services.split('/')[1]}`))).toEqual(
      only('kubernetes.serviceSubnet', 'ipv4-cidr'),
    );
  });
});

describe("a node's port", () => {
  const named = example.nodes.findIndex((n) => n.port?.name);
  const byMac = example.nodes.findIndex((n) => n.port?.mac);
  const onePort = Object.entries(example.hardware).find(([, p]) => p.defaultPortPattern)![0];

  it('refuses the loopback interface by name', () => {
    expect(issuesAfter((c) => (c.nodes[named].port = { name: 'lo' }))).toEqual(
      only(`nodes[${named}].port.name`, 'wired-port'),
    );
  });

  it.each(['lo', 'l*', 'lo*'])('refuses the default port pattern %j: it matches lo', (pattern) => {
    expect(issuesAfter((c) => (c.hardware[onePort].defaultPortPattern = pattern))).toEqual(
      only(`hardware.${onePort}.defaultPortPattern`, 'wired-port'),
    );
  });

  it.each(['lan*', 'loc0', 'eno1'])('accepts the name or pattern %j (not the loopback)', (name) => {
    expect(issuesAfter((c) => (c.hardware[onePort].defaultPortPattern = name.replace(/\d$/, '*')))).toEqual([]);
  });

  it.each([
    ['the broadcast address', 'ff:ff:ff:ff:ff:ff'],
    ['an IPv4 multicast address', '01:00:5e:00:00:01'],
    ['an IPv6 multicast address', '33:33:00:00:00:01'],
    ['a locally administered multicast address', '03:00:00:00:00:01'],
    ['the zero address', '00:00:00:00:00:00'],
  ])('refuses %s as the MAC of a port', (_what, mac) => {
    expect(issuesAfter((c) => (c.nodes[byMac].port = { mac }))).toEqual(
      only(`nodes[${byMac}].port.mac`, 'unicast-mac'),
    );
  });

  it.each(['02:00:00:00:00:01', 'fe:ff:ff:ff:ff:ff', '00:00:00:00:00:01'])('accepts the unicast MAC %s', (mac) => {
    expect(issuesAfter((c) => (c.nodes[byMac].port = { mac }))).toEqual([]);
  });
});
