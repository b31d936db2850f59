/**
 * Keeps webhooks away from the server's own network: loopback, private, link-local (cloud
 * metadata), carrier-grade NAT, unique-local, unspecified, multicast and reserved addresses are
 * refused when a subscription is created and again at each delivery, where the name is resolved
 * once by `checkedLookup` and the socket connects to exactly the addresses it checked (a second
 * resolution could answer differently: DNS rebinding). `LINLI_WEBHOOK_ALLOW_PRIVATE=1` lifts the
 * rule for tests and local development only.
 */
import { lookup } from 'node:dns/promises';
import type { LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import type { LookupFunction } from 'node:net';
import { ACTIONS } from '../work-orders/work-order.machine.ts';

const BLOCKED = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8], // "this network", unspecified
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT (also Alibaba's metadata 100.100.100.200)
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata 169.254.169.254
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved and broadcast
] as const)
  BLOCKED.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 128], // unspecified
  ['::1', 128],
  // NAT64 prefixes of the operator's own network (RFC 8215): translated to any IPv4 address behind it.
  ['64:ff9b:1::', 48],
  ['fc00::', 7], // unique-local (also AWS's metadata fd00:ec2::254)
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
] as const)
  BLOCKED.addSubnet(net, bits, 'ipv6');

const BLOCKED_NAMES = /^(localhost|.*\.localhost|metadata|metadata\.google\.internal)$/;

/** The IPv4 address inside an IPv4-mapped, -compatible or NAT64 IPv6 address, if any. */
function embeddedIpv4(v6: string): string | undefined {
  const m = /^(?:::ffff:|::|64:ff9b::)(?:(\d+\.\d+\.\d+\.\d+)|([0-9a-f]{1,4}):([0-9a-f]{1,4}))$/i.exec(v6);
  if (!m) return undefined;
  if (m[1]) return m[1];
  const hi = Number.parseInt(m[2] ?? '0', 16);
  const lo = Number.parseInt(m[3] ?? '0', 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/** Is this IP address one a webhook must never reach? (Not an IP address: false.) */
export function isInternalAddress(address: string): boolean {
  const ip = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const family = isIP(ip);
  if (family === 4) return BLOCKED.check(ip, 'ipv4');
  if (family !== 6) return false;
  const v4 = embeddedIpv4(ip);
  if (v4 !== undefined && isIP(v4) === 4) return BLOCKED.check(v4, 'ipv4');
  return BLOCKED.check(ip, 'ipv6');
}

/** The reason a parsed webhook URL's host is refused, or null when it may be used. */
export function internalHostReason(url: URL): string | null {
  const host = url.hostname.toLowerCase().replace(/\.$/, '');
  if (BLOCKED_NAMES.test(host)) return `${host} names this server's own network`;
  if (isInternalAddress(host)) return `${host} is a loopback, private, link-local or reserved address`;
  return null;
}

/** Private targets are allowed only when the deployment says so (tests, local development). */
export function allowPrivateWebhooks(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.LINLI_WEBHOOK_ALLOW_PRIVATE === '1';
}

/** A delivery that can never succeed: the outbox marks it failed at once instead of retrying. */
export class PermanentDeliveryError extends Error {}

/** Resolves a host name to every address it has: the system resolver by default, a fake in tests. */
export type HostResolver = (host: string) => Promise<{ address: string }[]>;

export const systemResolver: HostResolver = (host) => lookup(host, { all: true, verbatim: true });

async function resolveAll(host: string, resolve: HostResolver): Promise<{ address: string }[]> {
  try {
    return await resolve(host);
  } catch (err) {
    throw new Error(
      `webhook host ${host} did not resolve: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}

/** Refuses (permanently) when any of the host's addresses is internal. */
function refuseInternal(host: string, addresses: readonly { address: string }[]): void {
  const bad = addresses.find((a) => isInternalAddress(a.address));
  if (bad)
    throw new PermanentDeliveryError(
      `webhook refused: ${host} resolves to ${bad.address}, a loopback, private, link-local or reserved address`,
    );
}

/** Resolves the URL's host (every address) and refuses when any of them is internal. */
export async function assertPublicTarget(url: URL, resolve: HostResolver = systemResolver): Promise<void> {
  const reason = internalHostReason(url);
  if (reason) throw new PermanentDeliveryError(`webhook refused: ${reason}`);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) return;
  refuseInternal(host, await resolveAll(host, resolve));
}

/**
 * A `lookup` for `http(s).request` (and `net.connect`): resolves the name once, refuses with a
 * `PermanentDeliveryError` when any answer is internal (unless `allowPrivate`), and hands the
 * socket exactly the addresses it checked. Node calls it only for names; an IP literal is
 * connected to directly, so check those with `internalHostReason` first.
 */
export function checkedLookup(resolve: HostResolver, allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    const wanted = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family;
    const checked = async (): Promise<LookupAddress[]> => {
      const answers = await resolveAll(hostname, resolve);
      if (!allowPrivate) refuseInternal(hostname, answers);
      const usable = answers
        .map((a) => ({ address: a.address, family: isIP(a.address) }))
        .filter((a) => a.family !== 0 && ((wanted !== 4 && wanted !== 6) || a.family === wanted));
      if (usable.length === 0) throw new Error(`webhook host ${hostname} did not resolve to an IP address`);
      return usable;
    };
    checked().then(
      (addresses) => {
        const [first] = addresses;
        if (options.all) callback(null, addresses);
        else if (first) callback(null, first.address, first.family);
      },
      (err: Error) => callback(err, ''),
    );
  };
}

/**
 * Every event the server emits to webhooks (`sla.*` come from the SLA and supervision services;
 * `audit.anchor` is a community's audit chain head, for a witness to keep).
 */
export const WEBHOOK_EVENTS: readonly string[] = [
  'work_order.created',
  ...ACTIONS.map((a) => `work_order.${a}`),
  'sla.warning',
  'sla.breached',
  'sla.escalated',
  'sla.supervision_issued',
  'sla.supervision_overdue',
  'audit.anchor',
];
