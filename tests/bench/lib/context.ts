import type { mongo } from 'mongoose';
import type { BenchOptions } from './options';
import type { Infra, Service } from './stack';

/** What every scenario gets. */
export interface BenchContext {
  options: BenchOptions;
  infra: Infra;
  /** The run's id: prefix of its databases and (lower case, with a dot) of its Kafka topics. */
  runId: string;
  topicPrefix: string;
  /** Database of the scenarios' own data (event store runs, baselines); dropped at the end. */
  benchDb: string;
  /** The benchmark's own client (not the services'). */
  client: mongo.MongoClient;
  agreements?: Service;
  milestones?: Service;
  /** Started when scenario 5 or 6 runs. */
  alerts?: Service;
}

/** One line of the results table: a figure and its baseline, measured in the same run. */
export interface Row {
  scenario: string;
  metric: string;
  tracker: number | string;
  baseline: number | string;
  baselineWhat: string;
  unit: string;
}

export interface ScenarioResult {
  rows: Row[];
  /** Sizes and choices worth recording next to the figures. */
  notes: string[];
  /** Markdown printed after the main table (a scenario's own table, e.g. growth's figures per size). */
  sections?: string[];
  /** Raw figures for latest.json, under the scenario's key. */
  details?: Record<string, unknown>;
}
