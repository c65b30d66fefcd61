/**
 * A service, declared once: its name and topic, its aggregates (deciders), its projections (read models, live
 * and replayed by the same object), its reactors (side effects, live only), its controllers and providers.
 * `defineService(...)` returns the declaration with `forRoot(config)`, the Nest module that runs it.
 */
import type { DynamicModule, Provider, Type } from '@nestjs/common';
import type { Clock } from '@tracker/platform';
import type { DestinationStream } from 'pino';
import type { AggregateDefinition } from './aggregate';
import type { EventSourcedServiceConfig } from './config';
import type { Projection } from './projections';
import type { ReactorDefinition } from './reactors';

export interface ServiceDefinition<C extends EventSourcedServiceConfig = EventSourcedServiceConfig> {
  /** `milestones`: log field, metric label, consumer-group prefix, audit export name. */
  name: string;
  /** The topic its events are published to (without the environment's prefix). */
  topic: string;
  /** OpenAPI title, description and version. */
  api: { title: string; description: string; version: string };
  aggregates: readonly AggregateDefinition[];
  /** Its read models; a function when they depend on the config (e.g. the stall period). */
  projections: readonly Projection[] | ((config: C) => readonly Projection[]);
  reactors?: readonly ReactorDefinition[];
  controllers: readonly Type[];
  /** Its use cases and reactors' providers (reactor handlers are added by themselves). */
  providers?: readonly Provider[];
}

/** A declaration with its projections resolved for one config: what the runtime reads. */
export interface ResolvedService {
  name: string;
  topic: string;
  aggregates: readonly AggregateDefinition[];
  projections: readonly Projection[];
  reactors: readonly ReactorDefinition[];
}

export interface ServiceModuleOptions {
  /** Replaces the system clock (tests move time with a TestClock). */
  clock?: Clock;
  /** Where logs go (default stdout). */
  logDestination?: DestinationStream;
  /** Relay and consumers can be switched off (a tool that only reads). Default true. */
  startMessaging?: boolean;
}

export interface DefinedService<C extends EventSourcedServiceConfig> extends ServiceDefinition<C> {
  forRoot(config: C, options?: ServiceModuleOptions): DynamicModule;
}

export function resolveService<C extends EventSourcedServiceConfig>(definition: ServiceDefinition<C>, config: C): ResolvedService {
  const projections = typeof definition.projections === 'function' ? definition.projections(config) : definition.projections;
  const names = new Set<string>();
  for (const p of projections) {
    if (names.has(p.name)) throw new Error(`${definition.name}: two projections are named ${p.name}`);
    names.add(p.name);
  }
  for (const p of projections) {
    if (p.source === 'store' && !definition.aggregates.includes(p.aggregate)) {
      throw new Error(`${definition.name}: projection ${p.name} views aggregate ${p.aggregate.name}, which is not declared in aggregates`);
    }
  }
  const reactors = definition.reactors ?? [];
  for (const r of reactors) {
    if ('after' in r && !names.has(r.after)) throw new Error(`${definition.name}: reactor ${r.handler.name} runs after ${r.after}, which is not one of its projections`);
  }
  return { name: definition.name, topic: definition.topic, aggregates: definition.aggregates, projections, reactors };
}

/** The topics a service reads (its store projections read its own topic), without the environment's prefix. */
/** The service's own topic and every topic it consumes (what it creates at start; whose DLQs it may re-drive). */
export function serviceTopics(service: ResolvedService): string[] {
  return [...new Set([service.topic, ...consumedTopics(service)])];
}

export function consumedTopics(service: ResolvedService): string[] {
  return [
    ...new Set([
      ...service.projections.flatMap((p) => (p.source === 'store' ? [service.topic] : p.topics)),
      ...service.reactors.flatMap((r) => ('after' in r ? [] : r.topics)),
    ]),
  ];
}
