/**
 * Upcasting: stored events keep the schema version they were written with, forever; readers see the newest
 * version. An upcaster turns the data of (type, v) into the data of (type, v + 1); chains run until no further
 * upcaster is registered. Upcasters must be pure.
 */
import type { EventEnvelope } from '@tracker/contracts';

/**
 * Turns the data of one schema version into the next. It also sees the stored envelope (its times, ids), so a
 * field a newer version carries can be derived from what the older one recorded elsewhere (e.g. a date from
 * the event's occurredAt).
 */
export type Upcaster = (data: unknown, envelope: Readonly<Partial<EventEnvelope>>) => unknown;

export interface UpcasterDefinition {
  type: string;
  /** The schema version this upcaster reads; it produces fromSchemaVersion + 1. */
  fromSchemaVersion: number;
  upcast: Upcaster;
}

export class Upcasters {
  private readonly table = new Map<string, Map<number, Upcaster>>();

  constructor(definitions: readonly UpcasterDefinition[] = []) {
    for (const d of definitions) this.register(d.type, d.fromSchemaVersion, d.upcast);
  }

  register(type: string, fromSchemaVersion: number, upcast: Upcaster): this {
    if (!Number.isInteger(fromSchemaVersion) || fromSchemaVersion < 1) {
      throw new RangeError(`upcaster for ${type}: fromSchemaVersion must be an integer >= 1`);
    }
    let byVersion = this.table.get(type);
    if (!byVersion) this.table.set(type, (byVersion = new Map()));
    if (byVersion.has(fromSchemaVersion)) {
      throw new Error(`an upcaster for ${type} v${fromSchemaVersion} is already registered`);
    }
    byVersion.set(fromSchemaVersion, upcast);
    return this;
  }

  /** The schema version readers see for a type whose events were written at `storedVersion`. */
  latestVersion(type: string, storedVersion = 1): number {
    const byVersion = this.table.get(type);
    let v = storedVersion;
    while (byVersion?.has(v)) v++;
    return v;
  }

  /** Upcasts `data` of (type, schemaVersion) to the newest version. */
  upcastData(type: string, schemaVersion: number, data: unknown, envelope: Readonly<Partial<EventEnvelope>> = {}): { schemaVersion: number; data: unknown } {
    const byVersion = this.table.get(type);
    let v = schemaVersion;
    let d = data;
    for (let fn = byVersion?.get(v); fn; fn = byVersion?.get(v)) {
      d = fn(d, envelope);
      v++;
    }
    return { schemaVersion: v, data: d };
  }

  /**
   * A new envelope with upcast data and schema version; the input is not modified. `hash` stays the hash of the
   * stored (original) event.
   */
  upcast<E extends Pick<EventEnvelope, 'type' | 'schemaVersion' | 'data'>>(event: E): E {
    if (!this.table.has(event.type)) return event;
    const { schemaVersion, data } = this.upcastData(event.type, event.schemaVersion, event.data, event as Partial<EventEnvelope>);
    if (schemaVersion === event.schemaVersion) return event;
    return { ...event, schemaVersion, data };
  }
}
