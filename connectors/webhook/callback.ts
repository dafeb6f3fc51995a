import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { ConnectorError } from '../../src/connector.js';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, signWebhook } from './signature.js';

/** A source that does not answer within this long may or may not have acted on the callback. */
const TIMEOUT_MS = 10_000;
/** All carebot reads of an answer: an id and a link fit many times over; the rest is not read. */
export const MAX_ANSWER_BYTES = 8 * 1024;

/** Where a callback may not go: this host, its link, private networks and addresses that are no host. */
const notPublic = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata (169.254.169.254)
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const)
  notPublic.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 96], // unspecified, loopback (::1) and the old IPv4-compatible addresses
  ['100::', 64], // discard
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
] as const)
  notPublic.addSubnet(net, prefix, 'ipv6');

/** The eight 16-bit groups of an IPv6 address (any notation, a trailing dotted IPv4 included). */
function ipv6Groups(address: string): number[] {
  let a = address.split('%')[0]!.toLowerCase();
  const dotted = /^(.*:)(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(a);
  if (dotted) {
    const [b0, b1, b2, b3] = dotted.slice(2).map(Number) as [number, number, number, number];
    a = `${dotted[1]}${((b0 << 8) | b1).toString(16)}:${((b2 << 8) | b3).toString(16)}`;
  }
  const [head, tail] = a.split('::') as [string, string | undefined];
  const parts = (s: string) => (s ? s.split(':') : []);
  const groups =
    tail === undefined ? parts(head) : [...parts(head), ...Array(8 - parts(head).length - parts(tail).length).fill('0'), ...parts(tail)];
  return groups.map((g) => Number.parseInt(g, 16));
}

/** The IPv4 address an IPv6 one stands for (IPv4-mapped ::ffff:a.b.c.d, NAT64 64:ff9b::a.b.c.d), if any. */
function embeddedIpv4(groups: number[]): string | undefined {
  const zeros = (n: number) => groups.slice(0, n).every((g) => g === 0);
  const mapped = zeros(5) && groups[5] === 0xffff;
  const nat64 = groups[0] === 0x64 && groups[1] === 0xff9b && groups.slice(2, 6).every((g) => g === 0);
  if (!mapped && !nat64) return undefined;
  const [hi, lo] = [groups[6]!, groups[7]!];
  return `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
}

/** Whether an address is a public, routable host (every IPv4 form of an IPv6 address checked as IPv4). */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address.split('%')[0]!);
  if (family === 4) return !notPublic.check(address, 'ipv4');
  if (family !== 6) return false;
  const groups = ipv6Groups(address);
  if (groups.length !== 8 || groups.some((g) => !Number.isInteger(g) || g < 0 || g > 0xffff)) return false;
  const v4 = embeddedIpv4(groups);
  if (v4) return !notPublic.check(v4, 'ipv4');
  return !notPublic.check(groups.map((g) => g.toString(16)).join(':'), 'ipv6');
}

class PrivateAddress extends Error {
  constructor(
    readonly host: string,
    readonly address: string,
  ) {
    super(`callback host ${host} is at ${address}, a loopback, link-local or private address`);
  }
}

/**
 * Resolves like the system does, then refuses unless every address is public. The connection is
 * made to an address this check passed (net.connect uses this lookup's answer), so a host name
 * that resolves elsewhere a moment later (DNS rebinding) gains nothing.
 */
const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
    if (err) return void callback(err, '', 0);
    const bad = addresses.find((a) => !isPublicAddress(a.address));
    if (bad || !addresses.length) return void callback(new PrivateAddress(hostname, bad?.address ?? 'nowhere'), '', 0);
    if (options.all) return void (callback as unknown as (e: null, all: LookupAddress[]) => void)(null, addresses);
    callback(null, addresses[0]!.address, addresses[0]!.family);
  });
};

/** One POST, no redirect followed, at most MAX_ANSWER_BYTES of the answer read. */
function post(url: URL, headers: Record<string, string>, body: string, allowPrivate: boolean) {
  return new Promise<{ status: number; headers: IncomingMessage['headers']; text: string }>((resolve, reject) => {
    const options: RequestOptions = {
      method: 'POST',
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      signal: AbortSignal.timeout(TIMEOUT_MS),
      // A connection of its own: a kept-alive socket from an earlier call (a source allowed a
      // private address, say) would be reused without the lookup below ever being asked.
      agent: false,
      ...(allowPrivate ? {} : { lookup: publicOnlyLookup }),
    };
    const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, options, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const done = () => {
        res.removeAllListeners('data');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') });
      };
      res.on('data', (chunk: Buffer) => {
        chunks.push(chunk.subarray(0, MAX_ANSWER_BYTES - size));
        size += chunk.length;
        // Enough: the rest of the answer is not read (the connection is dropped, not drained).
        if (size >= MAX_ANSWER_BYTES) {
          done();
          res.destroy();
        }
      });
      res.on('end', done);
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * POSTs JSON to a source's callback URL, signed like its deliveries to carebot. Returns the
 * parsed answer of a 2xx; any other answer becomes a ConnectorError, a redirect included (it is
 * never followed). A loopback, link-local or private address is refused before anything is sent
 * unless `allowPrivate` (the source's `allowPrivateCallback`). A timeout or a dropped connection
 * is passed on untouched: nobody knows whether the source acted on it.
 */
export async function postSigned(
  url: string,
  secret: string,
  source: string,
  body: unknown,
  opts: { allowPrivate?: boolean } = {},
): Promise<unknown> {
  const target = new URL(url);
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    throw new ConnectorError(`callback URL must be http(s), not ${target.protocol}`, 'rejected');
  }
  const literal = target.hostname.replace(/^\[(.*)\]$/, '$1');
  // An address given as such is never looked up, so it is checked here.
  if (!opts.allowPrivate && isIP(literal) && !isPublicAddress(literal)) {
    throw new ConnectorError(
      `${new PrivateAddress(literal, literal).message}: set allowPrivateCallback for source '${source}' to allow it`,
      'rejected',
    );
  }
  const raw = JSON.stringify(body);
  const timestamp = Math.floor(Date.now() / 1000);
  let res: Awaited<ReturnType<typeof post>>;
  try {
    res = await post(
      target,
      {
        'content-type': 'application/json',
        [TIMESTAMP_HEADER]: String(timestamp),
        [SIGNATURE_HEADER]: signWebhook(secret, timestamp, source, raw),
      },
      raw,
      Boolean(opts.allowPrivate),
    );
  } catch (err) {
    if (err instanceof PrivateAddress) {
      throw new ConnectorError(`${err.message}: set allowPrivateCallback for source '${source}' to allow it`, 'rejected');
    }
    // Refused before anything was sent: safe to try again later.
    if ((err as { code?: string }).code === 'ECONNREFUSED') throw new ConnectorError(`callback ${target.host} unreachable`, 'unavailable');
    throw err;
  }
  const { status, text } = res;
  if (status >= 200 && status < 300) {
    try {
      return text ? JSON.parse(text) : {};
    } catch {
      return {};
    }
  }
  if (status >= 300 && status < 400) {
    throw new ConnectorError(`callback answered ${status} (a redirect, which carebot does not follow)`, 'rejected');
  }
  const reason = `callback answered ${status}${text ? `: ${text.slice(0, 200)}` : ''}`;
  if (status === 429) {
    const seconds = Number(res.headers['retry-after']);
    throw new ConnectorError(reason, 'rate_limited', Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 60_000);
  }
  throw new ConnectorError(reason, status >= 500 ? 'unavailable' : 'rejected');
}
