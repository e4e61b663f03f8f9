import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Scenario } from '../run.ts';
import type { Figure } from '../lib/figures.ts';
import { SpoolMailer } from '../../src/access/mail/mailer.ts';
import { Keyring } from '../../src/lib/secret-box.ts';
import type { PortalEventInput, PortalEventRow } from '../../src/model/index.ts';
import { createSubscription, DeliverySender, fanOutAll, newWebhookSecret, signedHeaders, webhookPayload } from '../../src/notify/index.ts';
import { SqliteStore } from '../../src/store/index.ts';

const CONCURRENCY = 16;

/**
 * Issue 14's benchmark. 10,000 portal events fanned out to 3 webhook subscriptions each (a local
 * HTTP subscriber answering 204): the hub path reads the event log, writes 30,000 delivery rows
 * with its cursor, leases, signs (Standard Webhooks) and POSTs each, and records every outcome —
 * against a bare loop in the same run that signs and POSTs the same 30,000 deliveries with the same
 * concurrency and nothing recorded. Peak RSS is sampled through the hub run, in four quarters of
 * 2,500 events, and must stay flat (the 10,000 figure within 1.5× of the 2,500 one).
 */
export const scenario: Scenario = {
  name: 'notify',
  description: '10,000 events × 3 webhook subscriptions: fan-out + signed delivery vs a bare sign-and-POST loop; peak RSS at 2,500 vs 10,000',
  async run({ quick }) {
    const events = quick ? 2_000 : 10_000;
    const quarter = events / 4;
    const dir = mkdtempSync(join(tmpdir(), 'crosswalk-bench-notify-'));
    let received = 0;
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        received++;
        res.writeHead(204).end();
      });
    });
    server.keepAliveTimeout = 10_000;
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const store = SqliteStore.open(join(dir, 'bench.sqlite'), { keyring: Keyring.generate() });
    try {
      const secrets: Array<{ url: string; secret: string }> = [];
      for (let i = 0; i < 3; i++) {
        const secret = newWebhookSecret();
        const url = `${base}/subscriber-${i}`;
        await store.unitOfWork((tx) => createSubscription(tx, { url, eventTypes: ['time.submitted'], clientId: null, description: null, secret }, 'user:bench', new Date().toISOString()));
        secrets.push({ url, secret });
      }
      const event = (i: number): PortalEventInput => ({
        type: 'time.submitted', entity: 'time_entry', canonicalId: `te-${i}`, clientId: 'client-1', worksiteId: 'worksite-1', actor: 'user:bench',
        data: { workDate: '2026-03-02', hours: 8, assignmentTitle: 'Machine operator', worksiteName: 'North Plant' }, at: new Date().toISOString(),
      });
      const sender = new DeliverySender({
        store, mailer: new SpoolMailer(join(dir, 'mail'), 'bench@example.test'), publicUrl: null, concurrency: CONCURRENCY, trustResolvedHosts: true,
      });

      let peak = 0;
      const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
      const peaks: number[] = [];
      let hubMs = 0;
      for (let q = 0; q < 4; q++) {
        // The producers' side is not timed: appends in units of work of 500.
        for (let i = q * quarter; i < (q + 1) * quarter; i += 500) {
          const end = Math.min((q + 1) * quarter, i + 500);
          await store.unitOfWork(async (tx) => {
            for (let k = i; k < end; k++) await tx.events.append(event(k));
          });
        }
        const t0 = performance.now();
        const fanned = await fanOutAll(store, { batch: 500 });
        const sent = await sender.drain();
        hubMs += performance.now() - t0;
        if (fanned.deliveries !== quarter * 3 || sent.sent !== quarter * 3) throw new Error(`quarter ${q}: fanned ${fanned.deliveries}, sent ${sent.sent}, expected ${quarter * 3}`);
        peak = Math.max(peak, process.memoryUsage().rss);
        peaks.push(peak);
      }
      clearInterval(sampler);
      if (received !== events * 3) throw new Error(`the subscriber got ${received} of ${events * 3}`);

      // The bare loop: the same bodies, signed the same way, POSTed with the same concurrency.
      const rows: PortalEventRow[] = await store.repos.events.after(0, events);
      const t1 = performance.now();
      let next = 0;
      const worker = async () => {
        for (;;) {
          const n = next++;
          if (n >= rows.length * 3) return;
          const row = rows[Math.floor(n / 3)] as PortalEventRow;
          const sub = secrets[n % 3] as { url: string; secret: string };
          const body = JSON.stringify(webhookPayload(row));
          const res = await fetch(sub.url, { method: 'POST', headers: signedHeaders(sub.secret, `msg_${n}`, new Date(), body), body, signal: AbortSignal.timeout(10_000) });
          await res.arrayBuffer();
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      const bareMs = performance.now() - t1;

      const mib = (b: number) => Math.round((b / 1_048_576) * 10) / 10;
      const rss2500 = peaks[0] ?? 0;
      const rss10000 = peaks[3] ?? 0;
      const figures: Figure[] = [
        { name: 'notify_hub_deliveries_per_s', value: Math.round((events * 3) / (hubMs / 1000)), unit: '/s', gate: false },
        { name: 'notify_bare_deliveries_per_s', value: Math.round((events * 3) / (bareMs / 1000)), unit: '/s', gate: false },
        { name: 'notify_vs_bare_loop', value: bareMs / hubMs, target: { op: '>=', value: 0.5 } },
        { name: `notify_peak_rss_at_${quarter}_events`, value: mib(rss2500), unit: 'MiB', gate: false },
        { name: `notify_peak_rss_at_${events}_events`, value: mib(rss10000), unit: 'MiB', gate: false },
        { name: 'notify_rss_growth_10000_vs_2500', value: rss10000 / rss2500, target: { op: '<=', value: 1.5 } },
      ];
      return figures;
    } finally {
      store.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
