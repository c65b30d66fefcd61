/**
 * Dead letters of the services (issue 18), through their admin API (GET /admin/dlq…, POST …/redrive):
 *
 *   npm run dlq -- list                       the DLQ topics with their counts (each service's own topic)
 *   npm run dlq -- list <topic>               the dead letters of a DLQ topic: where, what, why
 *   npm run dlq -- redrive <topic>            publish them back to their topic, after fixing what made them fail
 *     [--service agreements|milestones|alerts] [--group <consumer group>] [--limit <n>] [--url <base url>] [--api-key <admin key>]
 *
 * `<topic>` is a DLQ topic (`milestones.events.dlq`; `.dlq` may be left out, so may the environment's prefix).
 * The service asked is `--service`, else the one whose topic it is (milestones.events → milestones); `--url`
 * calls that URL. A re-drive is idempotent: the service remembers what it re-drove and never publishes it again;
 * consumers that processed an event already skip it. Defaults: the local stack's URLs (AGREEMENTS_URL,
 * MILESTONES_URL, ALERTS_URL override them) and the key in TRACKER_ADMIN_KEY, else the development admin key.
 * Exit code 0 when it worked, 1 when some dead letters could not be re-driven, 2 for a usage error or an
 * unreachable service.
 */
import { Topics } from '@tracker/contracts';
import type { DeadLetter, RedriveCounts } from '@tracker/messaging';
import { adminKey, callAdmin, runCli, serviceUrl, SERVICES, UsageError } from '../lib/admin-api';

type Env = Record<string, string | undefined>;

export interface DlqCommand {
  command: 'list' | 'redrive';
  /** The DLQ topic (ends with `.dlq`); none: list the DLQ topics. */
  topic?: string;
  /** Services to ask, with their base URLs. */
  targets: Array<{ service: string; url: string }>;
  /** Without a topic or a service: only each service's own topic (the one it re-drives). */
  ownTopicsOnly: boolean;
  group?: string;
  limit?: number;
  key: string;
}

export interface DlqTopicSummary {
  topic: string;
  originalTopic: string;
  messages: number;
  redriven: number;
  pending: number;
}

const OWN_TOPICS: Record<string, string> = { agreements: Topics.agreements, milestones: Topics.milestones, alerts: Topics.alerts };
const OPTIONS = ['--service', '--group', '--limit', '--url', '--api-key'];
const USAGE = `usage: npm run dlq -- list [<topic>] | redrive <topic>
  [--service ${Object.keys(SERVICES).join('|')}] [--group <consumer group>] [--limit <n>] [--url <base url>] [--api-key <admin key>]`;

function usage(message: string): never {
  throw new UsageError(`${message}\n${USAGE}`);
}

/** The service whose topic a (DLQ) topic is: `x.milestones.events.dlq` → milestones. */
export function ownerOf(topic: string): string | undefined {
  const base = topic.replace(/\.dlq$/, '');
  return Object.keys(OWN_TOPICS).find((s) => base === OWN_TOPICS[s] || base.endsWith(`.${OWN_TOPICS[s]}`));
}

export function parseArgs(argv: readonly string[], env: Env = process.env): DlqCommand {
  const positional: string[] = [];
  const options: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    if (!OPTIONS.includes(arg)) usage(`unknown option ${arg}`);
    const value = argv[++i];
    if (value === undefined || value.startsWith('--')) usage(`${arg} needs a value`);
    options[arg] = value;
  }
  const [command, name, ...extra] = positional;
  if (!command) usage('list or redrive?');
  if (command !== 'list' && command !== 'redrive') usage(`unknown command ${command}`);
  if (extra.length > 0) usage(`unexpected ${extra.join(' ')}`);
  if (command === 'redrive' && !name) usage('redrive which topic?');
  const service = options['--service'];
  if (service !== undefined && !(service in SERVICES)) usage(`unknown service ${service}`);
  const limit = options['--limit'];
  if (limit !== undefined && !/^[1-9]\d{0,4}$/.test(limit)) usage(`--limit must be a whole number from 1 to 99999, not ${limit}`);
  if (!name && (options['--group'] || limit)) usage('--group and --limit go with a topic');

  const topic = name === undefined ? undefined : name.endsWith('.dlq') ? name : `${name}.dlq`;
  let services: string[];
  if (service) services = [service];
  else if (topic) {
    const owner = ownerOf(topic);
    if (!owner && !options['--url']) usage(`which service reads ${topic}? Give --service or --url`);
    services = [owner ?? 'service'];
  } else services = Object.keys(SERVICES);
  if (services.length > 1 && options['--url']) usage('--url goes with one service: give --service too');

  return {
    command,
    ...(topic && { topic }),
    targets: services.map((s) => ({ service: s, url: serviceUrl(s, options['--url'], env) })),
    ownTopicsOnly: !topic && !service,
    ...(options['--group'] && { group: options['--group'] }),
    ...(limit && { limit: Number(limit) }),
    key: adminKey(options['--api-key'], env),
  };
}

/** A markdown table: a header row, then the rows (cells without pipes or line breaks). */
export function table(header: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number | null>>): string {
  const cell = (v: string | number | null) => (v === null ? '' : typeof v === 'number' ? v.toLocaleString('en-US') : v.replace(/\s*[|\r\n]+\s*/g, ' '));
  const line = (cells: ReadonlyArray<string | number | null>) => `| ${cells.map(cell).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

const short = (text: string | null, max: number) => (text && text.length > max ? `${text.slice(0, max - 1)}…` : text);

export function deadLettersTable(items: readonly DeadLetter[]): string {
  return table(
    ['partition', 'offset', 'key', 'event', 'type', 'reason', 'error', 'from', 'consumer group', 'failed at', 'redriven at'],
    items.map((d) => [
      d.partition,
      d.offset,
      d.key,
      d.eventId,
      d.type,
      d.reason,
      short(d.error, 80),
      d.originalTopic && `${d.originalTopic}/${d.originalPartition ?? '?'}@${d.originalOffset ?? '?'}`,
      d.consumerGroup,
      d.failedAt,
      d.redrivenAt,
    ]),
  );
}

export function countsTable(counts: RedriveCounts): string {
  return table(
    ['topic', 'total', 'redriven now', 'published', 'already redriven', 'failed', 'remaining'],
    [[counts.dlqTopic, counts.total, counts.redriven, counts.published, counts.alreadyRedriven, counts.failed, counts.remaining]],
  );
}

function query(cmd: DlqCommand): string {
  const params = new URLSearchParams();
  if (cmd.group) params.set('consumerGroup', cmd.group);
  if (cmd.limit) params.set('limit', String(cmd.limit));
  const text = params.toString();
  return text ? `?${text}` : '';
}

async function main(): Promise<number> {
  const cmd = parseArgs(process.argv.slice(2));
  const call = <T>(url: string, init?: RequestInit) => callAdmin<T>(url, cmd.key, 'dead letters', init);
  if (!cmd.topic) {
    const rows: Array<Array<string | number>> = [];
    let unreachable = 0;
    for (const { service, url } of cmd.targets) {
      try {
        const { topics } = await call<{ topics: DlqTopicSummary[] }>(`${url}/admin/dlq`);
        for (const t of topics) {
          if (cmd.ownTopicsOnly && ownerOf(t.topic) !== service) continue;
          rows.push([service, t.topic, t.messages, t.redriven, t.pending]);
        }
      } catch (err) {
        if (!(err instanceof UsageError)) throw err;
        unreachable++;
        console.error(`[${service}] ${err.message}`);
      }
    }
    if (unreachable < cmd.targets.length) console.log(table(['service', 'DLQ topic', 'messages', 'redriven', 'pending'], rows));
    return unreachable > 0 ? 2 : 0;
  }

  const [{ service, url }] = cmd.targets;
  const path = `${url}/admin/dlq/${encodeURIComponent(cmd.topic)}`;
  if (cmd.command === 'list') {
    const { topic, items } = await call<{ topic: string; items: DeadLetter[] }>(`${path}${query(cmd)}`);
    console.error(`[${service}] ${topic}: ${items.length} dead letter(s)${cmd.group ? ` of ${cmd.group}` : ''}`);
    console.log(deadLettersTable(items));
    return 0;
  }
  const counts = await call<RedriveCounts>(`${path}/redrive${query(cmd)}`, { method: 'POST' });
  console.log(countsTable(counts));
  for (const f of counts.failures) console.error(`[${service}] not re-driven: ${counts.dlqTopic} partition ${f.partition} offset ${f.offset}: ${f.error}`);
  if (counts.remaining > 0) console.error(`[${service}] ${counts.remaining} left by --limit: run it again to go on`);
  return counts.failed > 0 ? 1 : 0;
}

if (require.main === module) runCli(main);
