import { Controller } from '@nestjs/common';
import type { Decider } from '@tracker/contracts';
import { defineAggregate } from './aggregate';
import { streamView, type TopicProjection } from './projections';
import { consumedTopics, resolveService, type ServiceDefinition } from './service-definition';

const counter: Decider<{ n: number }, unknown> = { initialState: () => ({ n: 0 }), decide: () => [], evolve: (s) => ({ n: s.n + 1 }) };
const thing = defineAggregate({
  name: 'thing',
  decider: counter,
  streamId: (id) => `thing-${id}`,
  idOf: (e) => e.streamId.slice(6),
  owns: (e) => e.type.startsWith('thing.'),
  agreementId: ({ id }) => id,
});
const views = streamView({ name: 'thing-views', aggregate: thing, collection: { name: 'thing_views' }, document: () => null });
const directory: TopicProjection = { source: 'topics', name: 'directory', collections: [{ name: 'directory' }], topics: ['a.events'], apply: async () => undefined };
@Controller()
class NoController {}
class SomeReactor {
  readonly seen: unknown[] = [];
  async react(event: unknown): Promise<void> {
    this.seen.push(event);
  }
}

const service = (overrides: Partial<ServiceDefinition>): ServiceDefinition => ({
  name: 'things',
  topic: 'things.events',
  api: { title: 't', description: 'd', version: '1' },
  aggregates: [thing],
  projections: [views, directory],
  controllers: [NoController],
  ...overrides,
});

describe('a service declaration', () => {
  it('resolves its projections (also from the config) and reactors', () => {
    const resolved = resolveService(service({ reactors: [{ after: 'directory', handler: SomeReactor }] }), {} as never);
    expect(resolved.projections.map((p) => p.name)).toEqual(['thing-views', 'directory']);
    expect(resolveService(service({ projections: () => [directory] }), {} as never).projections).toEqual([directory]);
  });

  it.each([
    ['two projections of one name', service({ projections: [directory, directory] }), /two projections are named directory/],
    ['a reactor after a projection it does not have', service({ reactors: [{ after: 'nowhere', handler: SomeReactor }] }), /runs after nowhere/],
    ['a view of an aggregate it does not declare', service({ aggregates: [] }), /views aggregate thing, which is not declared/],
  ])('refuses %s at start', (_, definition, message) => {
    expect(() => resolveService(definition, {} as never)).toThrow(message);
  });

  it('reads its own topic (store projections), its topic projections’ and its own reactors’ topics, once each', () => {
    const resolved = resolveService(service({ reactors: [{ name: 'notify', topics: ['a.events', 'b.events'], handler: SomeReactor }] }), {} as never);
    expect(consumedTopics(resolved)).toEqual(['things.events', 'a.events', 'b.events']);
    expect(consumedTopics(resolveService(service({ aggregates: [], projections: [directory] }), {} as never))).toEqual(['a.events']);
  });
});
