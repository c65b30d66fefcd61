/**
 * A webhook receiver on this machine, for the benchmark (scenario 6) and the fault suite (receiver down and back):
 * checks each signature as a receiver should (README "Verifying a webhook"), keeps each `x-tracker-delivery` id
 * once with the time its body had arrived, and counts what came again. It can go down and come back on the same
 * port, keeping what it received.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** HMAC-SHA256 over `${t}.${body}` against v1; the timestamp's age is not checked (a moved clock shifts it). */
export function verified(secret: string, headers: IncomingHttpHeaders, body: string): boolean {
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(headers['x-tracker-signature'] ?? ''));
  if (!match) return false;
  const expected = createHmac('sha256', secret).update(`${match[1]}.${body}`).digest('hex');
  return timingSafeEqual(Buffer.from(expected), Buffer.from(match[2]));
}

export interface Receipt {
  deliveryId: string;
  /** Date.now() when the body had arrived (the first time). */
  at: number;
  agreementId: string;
  alertId: string;
  alertKind: string;
  /** The alert event the delivery is for. */
  eventId: string;
  eventType: string;
}

interface DeliveryBody {
  event: { id: string; type: string };
  alert: { id: string; agreementId: string; kind: string };
}

export class WebhookReceiver {
  /** The first receipt of each delivery id. */
  readonly receipts = new Map<string, Receipt>();
  /** Badly signed bodies (answered 401) and delivery ids received again (answered 204 again). */
  readonly counts = { badSignatures: 0, duplicates: 0 };
  private server?: Server;
  private port = 0;

  constructor(private readonly secret: string) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}/tracker`;
  }

  /** Listens (on a free port the first time, on the same one after `stop`). */
  async start(): Promise<void> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const at = Date.now();
        const body = Buffer.concat(chunks).toString('utf8');
        if (!verified(this.secret, req.headers, body)) {
          this.counts.badSignatures++;
          res.statusCode = 401;
          res.end();
          return;
        }
        const deliveryId = String(req.headers['x-tracker-delivery'] ?? '');
        if (this.receipts.has(deliveryId)) this.counts.duplicates++;
        else {
          const { event, alert } = JSON.parse(body) as DeliveryBody;
          this.receipts.set(deliveryId, {
            deliveryId,
            at,
            agreementId: alert.agreementId,
            alertId: alert.id,
            alertKind: alert.kind,
            eventId: event.id,
            eventType: event.type,
          });
        }
        res.statusCode = 204;
        res.end();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Stops listening and drops open connections: the next attempt is refused. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  of(agreementId: string): Receipt[] {
    return [...this.receipts.values()].filter((r) => r.agreementId === agreementId);
  }
}
