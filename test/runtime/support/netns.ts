/**
 * Virtual hosts for many-host tests: each worker runs in its own network namespace, joined to the
 * test's host by a veth pair on a bridge, and reaches PostgreSQL, Redis and the vendor emulator over
 * that virtual network — nothing on loopback. PostgreSQL and Redis listen on loopback only here, so
 * the test's host side forwards the bridge address's ports to them (plain TCP relays).
 *
 * Needs root and `ip`; where namespaces cannot be made, `makeVirtualHosts` says so and returns plain
 * processes on loopback (`kind: 'loopback'`), and the tests report which they ran on.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export interface Forward {
  /** The port on the bridge address the namespaces connect to. */
  readonly port: number;
  /** Where it goes on this host. */
  readonly to: { readonly host: string; readonly port: number };
}

export interface VirtualHosts {
  readonly kind: 'netns' | 'loopback';
  /** The address the hosts reach this one at (the bridge's), or 127.0.0.1 for loopback. */
  readonly hostIp: string;
  /** Each host's own address. */
  readonly addresses: readonly string[];
  /** Why namespaces were not used, when they were not. */
  readonly fallbackReason: string | null;
  /** The command prefix that runs a program on host `i`. */
  prefix(i: number): string[];
  dispose(): Promise<void>;
}

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

function relay(listenHost: string, forward: Forward): Promise<Server> {
  const sockets = new Set<Socket>();
  const server = createServer((inbound) => {
    const outbound = createConnection(forward.to.port, forward.to.host);
    sockets.add(inbound);
    sockets.add(outbound);
    const drop = () => {
      inbound.destroy();
      outbound.destroy();
      sockets.delete(inbound);
      sockets.delete(outbound);
    };
    inbound.on('error', drop).on('close', drop);
    outbound.on('error', drop).on('close', drop);
    inbound.pipe(outbound);
    outbound.pipe(inbound);
  });
  const close = server.close.bind(server);
  // Closing the relay cuts its live connections too (a pool's idle sockets would keep it open).
  server.close = (cb) => {
    for (const s of sockets) s.destroy();
    return close(cb);
  };
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(forward.port, listenHost, () => resolve(server));
  });
}

export async function makeVirtualHosts(count: number, forwards: readonly Forward[]): Promise<VirtualHosts> {
  const tag = randomBytes(3).toString('hex');
  const bridge = `cwb${tag}`;
  const subnet = `10.${randomInt(100, 250)}.${randomInt(1, 250)}`;
  const hostIp = `${subnet}.1`;
  const namespaces: string[] = [];
  const made: string[] = [];
  try {
    ip('link', 'add', bridge, 'type', 'bridge');
    made.push('bridge');
    ip('addr', 'add', `${hostIp}/24`, 'dev', bridge);
    ip('link', 'set', bridge, 'up');
    for (let i = 0; i < count; i++) {
      const ns = `cw${tag}-${i}`;
      const outside = `cv${tag}${i}`;
      const inside = `ci${tag}${i}`;
      ip('netns', 'add', ns);
      namespaces.push(ns);
      ip('link', 'add', outside, 'type', 'veth', 'peer', 'name', inside);
      ip('link', 'set', inside, 'netns', ns);
      ip('link', 'set', outside, 'master', bridge);
      ip('link', 'set', outside, 'up');
      ip('netns', 'exec', ns, 'ip', 'addr', 'add', `${subnet}.${i + 2}/24`, 'dev', inside);
      ip('netns', 'exec', ns, 'ip', 'link', 'set', inside, 'up');
      ip('netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up');
    }
  } catch (err) {
    for (const ns of namespaces) tryIp('netns', 'del', ns);
    if (made.includes('bridge')) tryIp('link', 'del', bridge);
    const reason = `network namespaces could not be made (${(err as Error).message.split('\n')[0] ?? ''}); workers run as separate processes on loopback`; // cast: execFileSync throws Error
    return {
      kind: 'loopback', hostIp: '127.0.0.1', addresses: Array.from({ length: count }, () => '127.0.0.1'), fallbackReason: reason,
      prefix: () => [],
      dispose: async () => {},
    };
  }
  const servers = await Promise.all(forwards.map((f) => relay(hostIp, f)));
  return {
    kind: 'netns',
    hostIp,
    addresses: namespaces.map((_, i) => `${subnet}.${i + 2}`),
    fallbackReason: null,
    prefix: (i) => {
      const ns = namespaces[i];
      if (ns === undefined) throw new Error(`no virtual host ${i}`);
      return ['ip', 'netns', 'exec', ns];
    },
    dispose: async () => {
      await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
      for (const ns of namespaces) tryIp('netns', 'del', ns);
      tryIp('link', 'del', bridge);
    },
  };
}

function tryIp(...args: string[]): void {
  try {
    ip(...args);
  } catch {
    // Already gone (a namespace's veth goes with it).
  }
}
