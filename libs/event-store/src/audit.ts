/**
 * Proof that the history was not altered: one hash-chain checker used by `EventAudit` (`verify` against the live
 * store, `exportLog` writing an NDJSON export) and by `verifyExport` (against an export alone, without the
 * database), and the export's manifest (count, last version and last hash per stream), which an auditor keeps so
 * that a later export or the live store can be shown to extend, not rewrite, what was exported. The audit reads
 * the events as stored (`EventStore.readStored`, never upcast) and writes nothing.
 */
import type { EventEnvelope } from '@tracker/contracts';
import type { EventStore } from './event-store';
import { computeEventHash } from './hash';
import type { BrokenEvent, VerifyReport } from './types';

export interface StreamSummary {
  events: number;
  lastVersion: number;
  lastHash: string | null;
}

export interface ExportManifest {
  service: string;
  exportedAt: string;
  /** Set when the export holds one agreement's events only. */
  agreementId: string | null;
  events: number;
  streams: Record<string, StreamSummary>;
}

/** Feed a stream's events in version order (streams may interleave); reports the first broken event per stream. */
export class HashChainChecker {
  private readonly streams = new Map<string, StreamSummary & { broken: boolean }>();
  private readonly brokenEvents: BrokenEvent[] = [];
  private eventCount = 0;

  add(event: EventEnvelope): void {
    this.eventCount++;
    const s = this.streams.get(event.streamId) ?? { events: 0, lastVersion: 0, lastHash: null, broken: false };
    s.events++;
    if (!s.broken) {
      let reason: BrokenEvent['reason'] | undefined;
      if (event.streamVersion !== s.lastVersion + 1) reason = 'version-gap';
      else if ((event.prevHash ?? null) !== s.lastHash) reason = 'prev-hash-mismatch';
      else if (computeEventHash(event) !== event.hash) reason = 'hash-mismatch';
      if (reason) {
        s.broken = true;
        this.brokenEvents.push({ streamId: event.streamId, streamVersion: event.streamVersion, eventId: event.eventId, reason });
      }
    }
    s.lastVersion = event.streamVersion;
    s.lastHash = event.hash;
    this.streams.set(event.streamId, s);
  }

  report(): VerifyReport {
    return {
      streamsChecked: this.streams.size,
      eventsChecked: this.eventCount,
      broken: [...this.brokenEvents].sort((a, b) => (a.streamId < b.streamId ? -1 : a.streamId > b.streamId ? 1 : 0)),
    };
  }

  summaries(): Record<string, StreamSummary> {
    const out: Record<string, StreamSummary> = {};
    for (const [id, s] of [...this.streams].sort(([a], [b]) => (a < b ? -1 : 1))) {
      out[id] = { events: s.events, lastVersion: s.lastVersion, lastHash: s.lastHash };
    }
    return out;
  }
}

export interface ExportOptions {
  /** Named in the manifest. */
  service: string;
  /** Only this agreement's events (whole streams); default the whole log. */
  agreementId?: string;
  /** Events read per database round trip. Default 500. */
  batchSize?: number;
}

/**
 * Verification and export of one store's event log: `new EventAudit(store, { now })`, where `now` stamps the
 * manifest's `exportedAt` (default the system clock).
 */
export class EventAudit {
  private readonly now: () => Date;

  constructor(
    private readonly store: Pick<EventStore, 'readStored'>,
    options: { now?: () => Date } = {},
  ) {
    this.now = options.now ?? (() => new Date());
  }

  /**
   * Recomputes the hash chain of one stream, or of every stream (in stream id, version order), against the
   * stored events (never upcast). Reports the first broken event of each broken stream.
   */
  async verify(streamId?: string): Promise<VerifyReport> {
    const checker = new HashChainChecker();
    for await (const event of this.store.readStored({ order: 'stream', streamId })) checker.add(event);
    return checker.report();
  }

  /**
   * The event log as stored (never upcast: the hashes must match), in position order, one JSON line per event,
   * then one `{"manifest": …}` line with counts and the last hash of each stream. Reads in batches (bounded
   * memory besides one summary per stream). Pass a whole agreement (`agreementId`) or nothing (the whole log).
   */
  async *exportLog(options: ExportOptions): AsyncGenerator<string, ExportManifest, undefined> {
    const checker = new HashChainChecker();
    const exportedAt = this.now().toISOString();
    for await (const event of this.store.readStored({ agreementId: options.agreementId, batchSize: options.batchSize })) {
      checker.add(event);
      yield `${JSON.stringify(event)}\n`;
    }
    const report = checker.report();
    const manifest: ExportManifest = {
      service: options.service,
      exportedAt,
      agreementId: options.agreementId ?? null,
      events: report.eventsChecked,
      streams: checker.summaries(),
    };
    yield `${JSON.stringify({ manifest })}\n`;
    return manifest;
  }
}

export interface ExportVerification extends VerifyReport {
  manifest: ExportManifest | null;
  /** Differences between the events in the export and its manifest (a line added, removed or changed). */
  manifestMismatches: string[];
  /** Lines that are neither an event nor the manifest. */
  unreadableLines: number[];
}

function isEnvelope(value: unknown): value is EventEnvelope {
  const e = value as EventEnvelope;
  return typeof e?.eventId === 'string' && typeof e.streamId === 'string' && Number.isInteger(e.streamVersion) && typeof e.hash === 'string';
}

/**
 * Checks an export (one JSON value per line: events as stored, then `{"manifest": …}`) from the export alone:
 * every stream's hash chain, and the manifest against the events. Streams must start at version 1 (a whole
 * service or a whole agreement is exported).
 */
export async function verifyExport(lines: AsyncIterable<string> | Iterable<string>): Promise<ExportVerification> {
  const checker = new HashChainChecker();
  let manifest: ExportManifest | null = null;
  const unreadableLines: number[] = [];
  let n = 0;
  for await (const line of lines) {
    n++;
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      unreadableLines.push(n);
      continue;
    }
    const m = (value as { manifest?: ExportManifest }).manifest;
    if (m && typeof m === 'object') manifest = m;
    else if (isEnvelope(value)) checker.add(value);
    else unreadableLines.push(n);
  }
  const report = checker.report();
  const manifestMismatches: string[] = [];
  if (!manifest) manifestMismatches.push('the export has no manifest line');
  else {
    const seen = checker.summaries();
    if (manifest.events !== report.eventsChecked) {
      manifestMismatches.push(`manifest counts ${manifest.events} events, the export holds ${report.eventsChecked}`);
    }
    for (const id of new Set([...Object.keys(seen), ...Object.keys(manifest.streams)])) {
      const want = manifest.streams[id];
      const got = seen[id];
      if (!want) manifestMismatches.push(`stream ${id} is in the export but not in the manifest`);
      else if (!got) manifestMismatches.push(`stream ${id} is in the manifest but has no events in the export`);
      else if (want.events !== got.events || want.lastVersion !== got.lastVersion || want.lastHash !== got.lastHash) {
        manifestMismatches.push(
          `stream ${id}: manifest says ${want.events} events up to v${want.lastVersion} (${want.lastHash}), export has ${got.events} up to v${got.lastVersion} (${got.lastHash})`,
        );
      }
    }
  }
  return { ...report, manifest, manifestMismatches, unreadableLines };
}
