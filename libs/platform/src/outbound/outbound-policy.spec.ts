import { createServer, type Server } from 'node:http';
import type { LookupAddress } from 'node:dns';
import type { AddressInfo } from 'node:net';
import { OutboundPolicy, OutboundRefused, postOutbound, refusedAddress } from './outbound-policy';

/** A resolver that answers from a table, as DNS would (so no test depends on the network). */
const dns: Record<string, LookupAddress[]> = {
  'hooks.example.org': [{ address: '93.184.215.14', family: 4 }],
  'internal.example': [{ address: '10.0.0.5', family: 4 }],
  'metadata.example': [{ address: '169.254.169.254', family: 4 }],
  // Answers one public and one loopback address: either may be the one connected to.
  'rebind.example': [
    { address: '93.184.215.14', family: 4 },
    { address: '127.0.0.1', family: 4 },
  ],
  'v6-only.example': [{ address: 'fd12:3456::1', family: 6 }],
  localhost: [
    { address: '127.0.0.1', family: 4 },
    { address: '::1', family: 6 },
  ],
};
const resolver = async (host: string) => {
  const answer = dns[host];
  if (!answer) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
  return answer;
};

describe('the outbound policy (OWASP SSRF guidance)', () => {
  const policy = new OutboundPolicy('', resolver);

  it.each([
    // Loopback, in every spelling the URL parser reads as 127.0.0.1
    'http://127.0.0.1/',
    'http://127.0.0.1:27017/',
    'http://127.1/',
    'http://0x7f000001/',
    'http://2130706433/',
    'http://0177.0.0.1/',
    'http://017700000001/',
    'http://0x7f.1/',
    'http://127.255.255.254/',
    // Unspecified
    'http://0/',
    'http://0.0.0.0/',
    'http://[::]/',
    // IPv6 loopback and IPv4 inside IPv6
    'http://[::1]:3001/admin/replays',
    'http://[::ffff:127.0.0.1]/',
    'http://[::ffff:7f00:1]/',
    'http://[0:0:0:0:0:ffff:a9fe:a9fe]/',
    'http://[64:ff9b::a00:1]/',
    'http://[2002:7f00:1::]/',
    'http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/',
    // Cloud metadata, private, carrier-grade NAT
    'http://169.254.169.254/latest/meta-data/',
    'http://169.254.0.1/',
    'http://10.0.0.1/',
    'http://10.255.255.255/',
    'http://172.16.5.4/',
    'http://172.31.255.255/',
    'http://192.168.1.1/',
    'http://100.64.0.1/',
    'http://100.127.255.254/',
    // Unique-local, link-local, site-local IPv6 (AWS's IPv6 metadata is fd00:ec2::254)
    'http://[fd00::1]/',
    'http://[fd00:ec2::254]/',
    'http://[fe80::1]/',
    'http://[fec0::1]/',
    // Multicast, broadcast, reserved, documentation, benchmarking
    'http://224.0.0.1/',
    'http://239.255.255.250/',
    'http://[ff02::1]/',
    'http://255.255.255.255/',
    'http://240.0.0.1/',
    'http://192.0.2.10/',
    'http://198.51.100.7/',
    'http://203.0.113.9/',
    'http://198.18.0.1/',
    'http://[2001:db8::1]/',
    // Not http(s), or with credentials
    'http://user:pass@hooks.example.org/',
    'https://token@hooks.example.org/',
    'ftp://hooks.example.org/',
    'file:///etc/passwd',
    'gopher://hooks.example.org/',
    'not a url',
  ])('refuses %s', async (url) => {
    await expect(policy.check(url)).rejects.toBeInstanceOf(OutboundRefused);
  });

  it.each([
    'http://93.184.215.14/tracker',
    'https://8.8.8.8/',
    'http://11.0.0.1/',
    'http://172.32.0.1/',
    'http://100.128.0.1/',
    'http://169.255.0.1/',
    'https://[2606:4700:4700::1111]/hook',
    'http://[64:ff9b::808:808]/',
    'https://hooks.example.org/tracker?x=1',
  ])('allows %s', async (url) => {
    await expect(policy.check(url)).resolves.toBeInstanceOf(URL);
  });

  it.each([
    ['http://internal.example/', 'private address (10.0.0.5)'],
    ['http://metadata.example/latest/meta-data/', 'link-local (cloud metadata) address (169.254.169.254)'],
    ['http://rebind.example/', 'loopback address (127.0.0.1)'],
    ['http://v6-only.example/', 'unique-local address (fd12:3456::1)'],
    ['http://localhost:3001/', 'loopback address (127.0.0.1)'],
    ['http://nowhere.invalid/', 'does not resolve (nowhere.invalid)'],
  ])('refuses %s after resolving it: %s', async (url, why) => {
    await expect(policy.check(url)).rejects.toThrow(why);
  });

  it('names why an address is refused, and null for a public one', () => {
    expect(refusedAddress('127.0.0.1')).toBe('loopback');
    expect(refusedAddress('::ffff:10.1.2.3')).toBe('private, inside an IPv6 address');
    expect(refusedAddress('100.64.1.1')).toBe('carrier-grade NAT');
    expect(refusedAddress('93.184.215.14')).toBeNull();
    expect(refusedAddress('2606:4700:4700::1111')).toBeNull();
  });

  it('an allowlist of CIDRs and host names lets a local receiver through, and nothing else', async () => {
    const local = new OutboundPolicy('127.0.0.1/32, ::1/128', resolver);
    await expect(local.check('http://127.0.0.1:8080/hook')).resolves.toBeInstanceOf(URL);
    await expect(local.check('http://[::1]:8080/hook')).resolves.toBeInstanceOf(URL);
    await expect(local.check('http://127.0.0.2/')).rejects.toThrow('loopback');
    await expect(local.check('http://10.0.0.1/')).rejects.toThrow('private');
    // localhost resolves to 127.0.0.1 and ::1, both allowed.
    await expect(local.check('http://localhost:8080/')).resolves.toBeInstanceOf(URL);
    const byName = new OutboundPolicy('localhost', resolver);
    await expect(byName.check('http://localhost:8080/')).resolves.toBeInstanceOf(URL);
    await expect(byName.check('http://127.0.0.1:8080/')).rejects.toThrow('loopback');
  });

  it('the lookup a connection uses refuses a name that resolves to a refused address', async () => {
    const result = await new Promise<{ err: Error | null; address: unknown }>((resolve) =>
      policy.lookup('rebind.example', { all: true }, (err, address) => resolve({ err, address })),
    );
    expect(result.err).toBeInstanceOf(OutboundRefused);
    const ok = await new Promise<{ err: Error | null; address: unknown }>((resolve) =>
      policy.lookup('hooks.example.org', {}, (err, address) => resolve({ err, address })),
    );
    expect(ok).toEqual({ err: null, address: '93.184.215.14' });
  });
});

describe('postOutbound', () => {
  let server: Server;
  let port = 0;
  let received = 0;
  beforeAll(async () => {
    server = createServer((req, res) => {
      received++;
      if (req.url === '/moved') {
        res.writeHead(302, { location: 'http://10.0.0.1/' });
        res.end();
        return;
      }
      if (req.url === '/slow') return; // never answers
      req.resume();
      req.on('end', () => {
        res.statusCode = 204;
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
  const send = (policy: OutboundPolicy, url: string, timeoutMs = 2_000) =>
    postOutbound(policy, url, {
      headers: { 'content-type': 'application/json' },
      body: '{"a":1}',
      timeoutMs,
    });

  it('delivers to an allowed receiver and returns its status', async () => {
    expect(await send(new OutboundPolicy('127.0.0.1/32'), `http://127.0.0.1:${port}/hook`)).toEqual({
      status: 204,
    });
  });

  it('refuses a local receiver without the allowlist, before connecting; a refused name too', async () => {
    const before = received;
    expect(await send(new OutboundPolicy(''), `http://127.0.0.1:${port}/hook`)).toEqual({
      error: 'refused by the outbound policy',
    });
    expect(await send(new OutboundPolicy('', resolver), `http://localhost:${port}/hook`)).toEqual({
      error: 'refused by the outbound policy',
    });
    expect(received).toBe(before);
  });

  it('follows no redirect: a 302 is the answer', async () => {
    expect(await send(new OutboundPolicy('127.0.0.1/32'), `http://127.0.0.1:${port}/moved`)).toEqual({
      status: 302,
    });
  });

  it('says "timed out" or "failed" without ports or error text', async () => {
    expect(await send(new OutboundPolicy('127.0.0.1/32'), `http://127.0.0.1:${port}/slow`, 200)).toEqual({
      error: 'timed out',
    });
    expect(await send(new OutboundPolicy('127.0.0.1/32'), 'http://127.0.0.1:9/closed')).toEqual({
      error: 'failed: no answer from the receiver',
    });
  });
});
