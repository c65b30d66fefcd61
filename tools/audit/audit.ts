/**
 * Auditor's command line (`EventAudit` of libs/event-store, the same checks the services answer at GET
 * /audit/verify and /audit/export):
 *
 *   npm run audit -- export <service> [--agreement <id>] > file.ndjson
 *                                                         the event log as stored, then its manifest line
 *   npm run audit -- verify-export <file.ndjson>          re-verify a kept export offline: hash chains + manifest
 *   npm run audit -- verify <agreements|milestones|alerts> [--stream <id>]
 *                                                         recompute the hash chains in a service's database
 *                                                         (MONGO_URL, database = the service name or MONGO_DB)
 * Exit code 0 when everything holds, 1 when something is broken, 2 for a usage error.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import mongoose from 'mongoose';
import { EventAudit, EventStore, verifyExport } from '@tracker/event-store';

const SERVICES = ['agreements', 'milestones', 'alerts'];

function usage(message: string): never {
  console.error(`${message}\nusage: npm run audit -- export <service> [--agreement <id>] | verify-export <file.ndjson> | verify <${SERVICES.join('|')}> [--stream <id>]`);
  process.exit(2);
}

async function main(): Promise<number> {
  const [command, arg, ...rest] = process.argv.slice(2);
  if (command === 'verify-export') {
    if (!arg) usage('verify-export needs the export file');
    const lines = createInterface({ input: createReadStream(arg, 'utf8'), crlfDelay: Infinity });
    const report = await verifyExport(lines);
    console.log(JSON.stringify(report, null, 2));
    const ok = report.broken.length === 0 && report.manifestMismatches.length === 0 && report.unreadableLines.length === 0;
    console.error(ok ? `ok: ${report.eventsChecked} events in ${report.streamsChecked} streams, manifest matches` : 'NOT OK: see broken, manifestMismatches and unreadableLines above');
    return ok ? 0 : 1;
  }
  if (command === 'verify' || command === 'export') {
    if (!arg || !SERVICES.includes(arg)) usage(`${command} needs a service: ${SERVICES.join(', ')}`);
    const url = process.env.MONGO_URL;
    if (!url) usage('MONGO_URL is not set (for the local stack: eval "$(bash deploy/local/infra.sh env)")');
    const option = (name: string) => (rest.indexOf(name) >= 0 ? rest[rest.indexOf(name) + 1] : undefined);
    const streamId = option('--stream');
    const conn = await mongoose.createConnection(url, { dbName: process.env.MONGO_DB ?? arg, serverSelectionTimeoutMS: 10_000 }).asPromise();
    const audit = new EventAudit(new EventStore(conn));
    try {
      if (command === 'export') {
        let n = 0;
        const log = audit.exportLog({ service: arg, agreementId: option('--agreement') });
        for await (const line of log) {
          if (!process.stdout.write(line)) await new Promise((resolve) => process.stdout.once('drain', resolve));
          if (++n % 10_000 === 0) console.error(`exported ${n} events…`);
        }
        console.error(`exported ${n - 1} events and the manifest`);
        return 0;
      }
      const started = Date.now();
      console.error(`verifying the hash chains of ${arg}${streamId ? ` (stream ${streamId})` : ''}…`);
      const report = await audit.verify(streamId);
      console.log(JSON.stringify({ service: arg, ...report, tookMs: Date.now() - started }, null, 2));
      console.error(report.broken.length === 0 ? 'ok' : `NOT OK: ${report.broken.length} broken stream(s)`);
      return report.broken.length === 0 ? 0 : 1;
    } finally {
      await conn.close();
    }
  }
  usage(command ? `unknown command ${command}` : 'no command');
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`audit failed: ${(err as Error).message}`);
    process.exit(1);
  },
);
