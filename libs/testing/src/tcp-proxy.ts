/**
 * A TCP proxy in front of a real server (MongoDB, Kafka), for tests of what a client does while that server is
 * unreachable: `cut()` closes every connection and refuses new ones, as a crashed host or a broken network does;
 * `restore()` lets clients in again. The server itself keeps running, so other tests sharing it are unaffected.
 */
import net from 'node:net';

export interface TcpProxy {
  /** The port clients connect to (on 127.0.0.1). */
  port: number;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let open = true;
  const sockets = new Set<net.Socket>();
  const track = (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  };
  const server = net.createServer((client) => {
    track(client);
    if (!open) {
      client.destroy();
      return;
    }
    const upstream = net.connect(target.port, target.host);
    track(upstream);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    port,
    cut() {
      open = false;
      for (const s of sockets) s.destroy();
    },
    restore() {
      open = true;
    },
    async close() {
      open = false;
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** `url` (a MongoDB connection string for one host) pointed at `port` on 127.0.0.1 instead. */
export function throughProxy(url: string, port: number): string {
  return url.replace(/^(mongodb:\/\/(?:[^@/]*@)?)[^/?,]+/, `$1127.0.0.1:${port}`);
}

/** The first host and port of a MongoDB connection string. */
export function hostOf(url: string): { host: string; port: number } {
  const m = /^mongodb:\/\/(?:[^@/]*@)?([^/?:,]+)(?::(\d+))?/.exec(url);
  if (!m) throw new Error(`not a single-host mongodb:// URL: ${url}`);
  return { host: m[1], port: Number(m[2] ?? 27017) };
}
