/**
 * Records the filter of every read, update and delete sent through the MongoDB driver (any collection, any
 * connection of this process) until `stop()`: for tests that check which queries a path sends, e.g. that a hot
 * path touches its collections only by exact `_id` (docs/adr/0010-flat-cost.md).
 */
export interface SentQuery {
  collection: string;
  method: string;
  filter: Record<string, unknown>;
}

const METHODS = ['find', 'findOne', 'updateOne', 'replaceOne', 'deleteOne', 'findOneAndUpdate', 'countDocuments', 'aggregate'];

export function recordQueries(): { sent: SentQuery[]; stop: () => void } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Collection } = require('mongodb') as { Collection: { prototype: Record<string, unknown> } };
  const sent: SentQuery[] = [];
  const originals = METHODS.map((m) => [m, Collection.prototype[m]] as const);
  for (const [method, original] of originals) {
    Collection.prototype[method] = function (this: { collectionName: string }, filter: Record<string, unknown>, ...rest: unknown[]) {
      sent.push({ collection: this.collectionName, method, filter: method === 'aggregate' ? {} : (filter ?? {}) });
      return (original as (...args: unknown[]) => unknown).call(this, filter, ...rest);
    };
  }
  return { sent, stop: () => originals.forEach(([m, original]) => (Collection.prototype[m] = original)) };
}

/** Whether a recorded filter is exactly `{_id: <string>}`. */
export const isByKey = (q: SentQuery): boolean => Object.keys(q.filter).join() === '_id' && typeof q.filter._id === 'string';
