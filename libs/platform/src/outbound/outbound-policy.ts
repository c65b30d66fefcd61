/**
 * Where the services may send requests (webhooks today): OWASP's server-side request forgery guidance
 * (https://cheatsheetseries.owasp.org/cheatsheets/Server_Side_Request_Forgery_Prevention_Cheat_Sheet.html).
 * Only http(s), no credentials in the URL, and never an address that is not public: loopback, private,
 * link-local (the cloud metadata address among them), carrier-grade NAT, multicast, reserved, documentation,
 * benchmarking, unique-local and site-local IPv6, and IPv6 forms that embed an IPv4 address (mapped, NAT64,
 * 6to4, Teredo) when that address is refused. Every spelling (decimal, hex, octal, short forms) is one address
 * once the WHATWG URL parser has read it. A name is checked after DNS resolution, all its addresses, and the
 * connection uses the addresses checked (`lookup`), so a name that rebinds between check and connect gains
 * nothing. An explicit allowlist (hosts or CIDRs) lets a local demo or a test deliver to 127.0.0.1.
 */
import { BlockList, isIP } from 'node:net';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';

const v4Refused: [string, number, string][] = [
  ['0.0.0.0', 8, 'unspecified ("this network")'],
  ['10.0.0.0', 8, 'private'],
  ['100.64.0.0', 10, 'carrier-grade NAT'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local (cloud metadata)'],
  ['172.16.0.0', 12, 'private'],
  ['192.0.0.0', 24, 'IETF protocol assignments'],
  ['192.0.2.0', 24, 'documentation'],
  ['192.88.99.0', 24, '6to4 relay anycast'],
  ['192.168.0.0', 16, 'private'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['198.51.100.0', 24, 'documentation'],
  ['203.0.113.0', 24, 'documentation'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved (and broadcast)'],
];
const v6Refused: [string, number, string][] = [
  ['::', 128, 'unspecified'],
  ['::1', 128, 'loopback'],
  ['::', 96, 'IPv4-compatible (deprecated)'],
  ['100::', 64, 'discard-only'],
  ['2001:db8::', 32, 'documentation'],
  ['fc00::', 7, 'unique-local'],
  ['fe80::', 10, 'link-local'],
  ['fec0::', 10, 'site-local (deprecated)'],
  ['ff00::', 8, 'multicast'],
];

function blockOf(family: 'ipv4' | 'ipv6', ranges: [string, number, string][]): [BlockList, string][] {
  return ranges.map(([net, prefix, why]) => {
    const list = new BlockList();
    list.addSubnet(net, prefix, family);
    return [list, why];
  });
}
const refusedV4 = blockOf('ipv4', v4Refused);
const refusedV6 = blockOf('ipv6', v6Refused);

/** The IPv4 address an IPv6 address carries (mapped ::ffff:a.b.c.d, NAT64 64:ff9b::/96, 6to4 2002::/16, Teredo 2001::/32). */
function embeddedV4(v6: string): string | null {
  const words = expandV6(v6);
  if (!words) return null;
  const v4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  if (words.slice(0, 5).every((w) => w === 0) && words[5] === 0xffff) return v4(words[6], words[7]);
  if (words[0] === 0x64 && words[1] === 0xff9b && words.slice(2, 6).every((w) => w === 0))
    return v4(words[6], words[7]);
  if (words[0] === 0x2002) return v4(words[1], words[2]);
  // Teredo: the client's address is stored inverted in the last 32 bits.
  if (words[0] === 0x2001 && words[1] === 0) return v4(words[6] ^ 0xffff, words[7] ^ 0xffff);
  return null;
}

function expandV6(v6: string): number[] | null {
  let s = v6.toLowerCase();
  // A trailing dotted IPv4 (::ffff:127.0.0.1) becomes two words.
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (dotted) {
    const p = dotted[1].split('.').map(Number);
    s =
      s.slice(0, -dotted[1].length) +
      `${((p[0] << 8) | p[1]).toString(16)}:${((p[2] << 8) | p[3]).toString(16)}`;
  }
  const [head, tail] = s.split('::');
  const parse = (part: string | undefined) => (part ? part.split(':').map((w) => parseInt(w, 16)) : []);
  const h = parse(head);
  const t = parse(tail);
  const words = s.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill(0), ...t] : h;
  return words.length === 8 && words.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffff)
    ? words
    : null;
}

/** Why an IP address may not be called, or null when it is public. */
export function refusedAddress(ip: string): string | null {
  const family = isIP(ip);
  if (family === 4) {
    for (const [list, why] of refusedV4) if (list.check(ip, 'ipv4')) return why;
    return null;
  }
  if (family === 6) {
    const inner = embeddedV4(ip);
    if (inner) {
      const why = refusedAddress(inner);
      return why ? `${why}, inside an IPv6 address` : null;
    }
    for (const [list, why] of refusedV6) if (list.check(ip, 'ipv6')) return why;
    return null;
  }
  return 'not an IP address';
}

export class OutboundRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutboundRefused';
  }
}

type Lookup = (
  hostname: string,
  options: { all?: boolean; family?: number },
  callback: (err: Error | null, address: string | LookupAddress[], family?: number) => void,
) => void;

export class OutboundPolicy {
  private readonly hosts = new Set<string>();
  private readonly allowed = new BlockList();

  /** `allow`: comma-separated host names and CIDRs (`127.0.0.1/32`, `::1/128`, `hooks.internal`), or empty. */
  constructor(
    allow = '',
    private readonly resolve: (host: string) => Promise<LookupAddress[]> = (host) =>
      new Promise((ok, fail) =>
        dnsLookup(host, { all: true }, (err, addresses) => (err ? fail(err) : ok(addresses))),
      ),
  ) {
    for (const entry of allow
      .split(',')
      .map((e) => e.trim().toLowerCase())
      .filter(Boolean)) {
      const [net, prefix] = entry.split('/');
      const family = isIP(net);
      if (family)
        this.allowed.addSubnet(
          net,
          prefix ? Number(prefix) : family === 4 ? 32 : 128,
          family === 4 ? 'ipv4' : 'ipv6',
        );
      else this.hosts.add(entry);
    }
  }

  private allowedAddress(ip: string): boolean {
    return this.allowed.check(ip, isIP(ip) === 6 ? 'ipv6' : 'ipv4');
  }

  /** The URL read as the connection will read it, or why it is refused (scheme, credentials, an IP literal). */
  parse(raw: string): URL {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new OutboundRefused('is not a URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new OutboundRefused('must be an http or https URL');
    if (url.username || url.password) throw new OutboundRefused('must not carry a user name or password');
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host) && !this.allowedAddress(host)) {
      const why = refusedAddress(host);
      if (why)
        throw new OutboundRefused(`points at a ${why} address (${host}), which the outbound policy refuses`);
    }
    return url;
  }

  /** Checks a URL fully, resolving its name: what a subscription is checked with. */
  async check(raw: string): Promise<URL> {
    const url = this.parse(raw);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    // A host allowed by name is not resolved here (it may resolve only where the service runs).
    if (!isIP(host) && !this.hosts.has(host.toLowerCase())) await this.addressesOf(host);
    return url;
  }

  /** A name's addresses, all checked (one refused address refuses the name: DNS may answer either). */
  private async addressesOf(host: string): Promise<LookupAddress[]> {
    let addresses: LookupAddress[];
    try {
      addresses = await this.resolve(host);
    } catch {
      throw new OutboundRefused(`names a host that does not resolve (${host})`);
    }
    if (addresses.length === 0) throw new OutboundRefused(`names a host that does not resolve (${host})`);
    if (this.hosts.has(host.toLowerCase())) return addresses;
    for (const a of addresses) {
      if (this.allowedAddress(a.address)) continue;
      const why = refusedAddress(a.address);
      if (why)
        throw new OutboundRefused(
          `names a host that resolves to a ${why} address (${a.address}), which the outbound policy refuses`,
        );
    }
    return addresses;
  }

  /** For `http.request({ lookup })`: the connection goes only to addresses this policy has just checked. */
  readonly lookup: Lookup = (hostname, options, callback) => {
    this.addressesOf(hostname).then(
      (addresses) => {
        const usable = options.family ? addresses.filter((a) => a.family === options.family) : addresses;
        if (options.all) callback(null, usable);
        else callback(null, usable[0]?.address ?? '', usable[0]?.family ?? 4);
      },
      (err: Error) => callback(err, ''),
    );
  };
}

/** What became of an outbound POST, in words a stakeholder may read (no ports, no internal error text). */
export type OutboundResult =
  | { status: number }
  | { error: 'refused by the outbound policy' | 'timed out' | 'failed: no answer from the receiver' };

/**
 * POSTs `body` to `rawUrl` under `policy`: the name resolved and checked at connect time, no redirect followed
 * (a 3xx is the answer), the response body discarded, `timeoutMs` for the whole exchange.
 */
export async function postOutbound(
  policy: OutboundPolicy,
  rawUrl: string,
  { headers, body, timeoutMs }: { headers: Record<string, string>; body: string; timeoutMs: number },
): Promise<OutboundResult> {
  let url: URL;
  try {
    url = policy.parse(rawUrl);
  } catch {
    return { error: 'refused by the outbound policy' };
  }
  const { request } = url.protocol === 'https:' ? await import('node:https') : await import('node:http');
  return new Promise<OutboundResult>((resolve) => {
    let settled = false;
    const done = (r: OutboundResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    const req = request(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        lookup: policy.lookup as never,
        agent: false,
      },
      (res) => {
        res.resume();
        done({ status: res.statusCode ?? 0 });
        res.on('error', () => undefined);
      },
    );
    const timer = setTimeout(() => {
      done({ error: 'timed out' });
      req.destroy();
    }, timeoutMs);
    req.on('error', (err) =>
      done({
        error:
          err instanceof OutboundRefused
            ? 'refused by the outbound policy'
            : 'failed: no answer from the receiver',
      }),
    );
    req.end(body);
  });
}
