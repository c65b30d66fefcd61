/**
 * A service's read models by logical name (`agreement_views`), each backed by one physical collection of the
 * current generation. A replay builds a new generation beside the live one and switches over by rewriting the
 * generation pointers (`read_model_generations`), so queries keep answering from the old collections until the
 * new ones are complete. Pointers, not renames: FerretDB cannot rename over an existing collection
 * (renameCollection with dropTarget is not implemented), and a drop-then-rename would leave a moment with no data.
 * Other instances of the service pick up a switch within `refreshMs`.
 */
import type { Connection, mongo } from 'mongoose';

export interface IndexDefinition {
  key: Record<string, 1 | -1>;
  options?: mongo.CreateIndexesOptions;
}

/** Where read-model code finds its collections: the live generation, or one being rebuilt. */
export interface CollectionSource {
  collection<T extends mongo.Document>(name: string): mongo.Collection<T>;
  /** Declares a read-model collection and its indexes, and creates them. */
  define(name: string, indexes?: readonly IndexDefinition[]): Promise<void>;
}

interface GenerationDoc {
  _id: string;
  collection: string;
  switchedAt: Date;
}

const POINTERS = 'read_model_generations';

async function createIndexes(collection: mongo.Collection, indexes: readonly IndexDefinition[]): Promise<void> {
  for (const index of indexes) await collection.createIndex(index.key, index.options ?? {});
}

/** A set of fresh physical collections being filled by a replay. */
export class Generation implements CollectionSource {
  constructor(
    private readonly connection: Connection,
    /** logical name → physical name */
    readonly physical: ReadonlyMap<string, string>,
  ) {}

  collection<T extends mongo.Document>(name: string): mongo.Collection<T> {
    const physical = this.physical.get(name);
    if (!physical) throw new Error(`read model ${name} is not part of this rebuild`);
    return this.connection.collection<T>(physical);
  }

  async define(name: string, indexes: readonly IndexDefinition[] = []): Promise<void> {
    await createIndexes(this.collection(name), indexes);
  }
}

export class ReadModels implements CollectionSource {
  private readonly indexes = new Map<string, readonly IndexDefinition[]>();
  private readonly active = new Map<string, string>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly connection: Connection,
    private readonly options: { refreshMs?: number } = {},
  ) {}

  get refreshMs(): number {
    return this.options.refreshMs ?? 5000;
  }

  private get pointers(): mongo.Collection<GenerationDoc> {
    return this.connection.collection<GenerationDoc>(POINTERS);
  }

  /** Loads the generation pointers and keeps them fresh (a replay in another instance switches them). */
  async start(): Promise<void> {
    await this.refresh();
    if (this.refreshMs > 0 && !this.timer) {
      this.timer = setInterval(() => void this.refresh().catch(() => undefined), this.refreshMs);
      this.timer.unref();
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  async refresh(): Promise<void> {
    for (const doc of await this.pointers.find({}).toArray()) this.active.set(doc._id, doc.collection);
  }

  collection<T extends mongo.Document>(name: string): mongo.Collection<T> {
    return this.connection.collection<T>(this.physicalName(name));
  }

  /** The physical collection currently behind a read model (its logical name until a first replay). */
  physicalName(name: string): string {
    return this.active.get(name) ?? name;
  }

  /** Every read model declared so far (by the services' init). */
  names(): string[] {
    return [...this.indexes.keys()];
  }

  async define(name: string, indexes: readonly IndexDefinition[] = []): Promise<void> {
    this.indexes.set(name, indexes);
    await createIndexes(this.collection(name), indexes);
  }

  /** Fresh, empty, indexed collections `<name>__<tag>` for `names`. */
  async newGeneration(names: readonly string[], tag: string): Promise<Generation> {
    const physical = new Map<string, string>();
    for (const name of names) {
      if (!this.indexes.has(name)) throw new Error(`read model ${name} was never defined`);
      const target = `${name}__${tag}`;
      await this.connection.collection(target).drop().catch(() => undefined);
      await this.connection.createCollection(target);
      await createIndexes(this.connection.collection(target), this.indexes.get(name)!);
      physical.set(name, target);
    }
    return new Generation(this.connection, physical);
  }

  /** Points the read models at `generation`; returns the physical collections they used before. */
  async switchTo(generation: Generation): Promise<string[]> {
    const previous: string[] = [];
    for (const [name, physical] of generation.physical) {
      previous.push(this.physicalName(name));
      await this.pointers.updateOne({ _id: name }, { $set: { collection: physical, switchedAt: new Date() } }, { upsert: true });
      this.active.set(name, physical);
    }
    return previous;
  }

  async drop(physicalNames: readonly string[]): Promise<void> {
    for (const name of physicalNames) await this.connection.collection(name).drop().catch(() => undefined);
  }
}
