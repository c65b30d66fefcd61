/**
 * The write load of a scenario: agreements registered and milestones planned first (the setup), then a stream of
 * commands from a few clients at once: registrations and plans (creations, each with its own Idempotency-Key),
 * progress reports and reschedules to a later date (changes with If-Match; a slip raises an alert). Each client
 * changes only its own milestones, so a 409 to a change it retried after getting no answer means that its earlier
 * attempt was applied. Every command carries a marker (the reference, title, note or reason) that finds its event
 * in the store, so each one can be checked: stored once, never twice, never lost.
 */
import { addDays, agreementStreamId, calendarDateOf, milestoneStreamId } from '@tracker/contracts';
import { MONITOR, type Service } from '../../bench/lib/stack';
import { pool, sleep } from '../../bench/lib/util';
import { trUzMemorandum } from '../../support/fixtures';
import { ok, send, type Answer, type RetryPolicy } from './client';

export interface Stack {
  agreements: Service;
  milestones: Service;
  alerts: Service;
}

export type CommandKind = 'register' | 'plan' | 'progress' | 'reschedule';
export type Mix = Record<CommandKind, number>;

/** Mostly progress on milestones, some plans, slips and registrations. */
export const DEFAULT_MIX: Mix = { register: 1, plan: 2, progress: 6, reschedule: 1 };

export interface CommandRecord {
  id: string;
  kind: CommandKind;
  /** Sent before the load (agreements and milestones the load works on). */
  setup: boolean;
  /** The reference, title, note or reason the command carried: what finds its event in the store. */
  marker: string;
  key: string;
  /** The milestone a change was for. */
  milestoneId?: string;
  /** The id answered to a creation (2xx). */
  resourceId?: string;
  answer: Answer;
  /** A change answered 409 after an attempt without answer (that attempt's change landed: one writer per milestone). */
  conflictAfterUnanswered: boolean;
  /** Date.now() at its final answer. */
  finishedAt: number;
}

interface Milestone {
  id: string;
  agreementId: string;
  version: number;
  dueDate: string;
}

const DUE = '2030-06-30';

/**
 * The id and version a 2xx names: the resource's view (200, 201), or the stream of a 202 "stored" (the events were
 * stored, a later step failed; libs/platform problem.filter.ts). `stream` is the stream id of an empty id.
 */
function answered(answer: Answer, stream: string): { id: string; version: number } | undefined {
  if (!ok(answer)) return undefined;
  const body = answer.body as
    { id?: string; version?: number; stored?: Array<{ streamId: string; version: number }> } | undefined;
  if (body?.id && typeof body.version === 'number') return { id: body.id, version: body.version };
  const s = body?.stored?.find((x) => x.streamId.startsWith(stream));
  return s && { id: s.streamId.slice(stream.length), version: s.version };
}

export class Load {
  readonly records: CommandRecord[] = [];
  /** Agreements the milestones service knew at the end of the setup (plans go to them). */
  readonly agreements: Array<{ id: string; reference: string }> = [];
  readonly milestones: Milestone[] = [];
  private seq = 0;
  private answered = 0;
  private waiters: Array<{ n: number; resolve: () => void }> = [];

  /**
   * `tag` names the scenario and round (e.g. `K1`); `runTag` the whole run. Together they prefix every reference, so the
   * scenario's agreements (and through them all its events) are found in the stores.
   */
  constructor(
    private readonly stack: Stack,
    readonly tag: string,
    private readonly runTag: string,
    private readonly policy: RetryPolicy,
  ) {}

  get referencePrefix(): string {
    return `FAULT-${this.runTag}-${this.tag}-`.toUpperCase();
  }

  /** Commands answered so far (any final answer). */
  get done(): number {
    return this.answered;
  }

  /** Resolves once `n` commands of the load have their final answer. */
  whenDone(n: number): Promise<void> {
    if (this.answered >= n) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ n, resolve }));
  }

  /** Registers `agreements` agreements and plans `milestonesEach` milestones for each (once the milestones service knows it). */
  async setup(agreements: number, milestonesEach: number): Promise<void> {
    const registered: Array<{ id: string; reference: string }> = [];
    await pool(
      Array.from({ length: agreements }, (_, i) => i),
      4,
      async () => {
        const r = await this.register(true);
        if (!r.resourceId)
          throw new Error(
            `registering ${r.marker} during the setup answered ${r.answer.status}: ${JSON.stringify(r.answer.body)}`,
          );
        registered.push({ id: r.resourceId, reference: r.marker });
      },
    );
    this.agreements.push(...registered);
    const plans = registered.flatMap((a) => Array.from({ length: milestonesEach }, () => a.id));
    await pool(plans, 4, async (agreementId) => {
      // 422 until the milestones service has the agreement's event from Kafka.
      const deadline = Date.now() + 60_000;
      for (;;) {
        const r = await this.plan(agreementId, true);
        if (r.resourceId) return;
        if (r.answer.status !== 422 || Date.now() > deadline)
          throw new Error(
            `planning a milestone during the setup answered ${r.answer.status}: ${JSON.stringify(r.answer.body)}`,
          );
        this.records.splice(this.records.indexOf(r), 1); // a 422 changes nothing: not a command of the load
        await sleep(250);
      }
    });
  }

  /** `commands` commands from `clients` clients at once, picked by the weights of `mix`. */
  async run(commands: number, clients: number, mix: Mix = DEFAULT_MIX): Promise<void> {
    const own: Milestone[][] = Array.from({ length: clients }, () => []);
    this.milestones.forEach((m, i) => own[i % clients].push(m));
    let left = commands;
    const total = Object.values(mix).reduce((a, b) => a + b, 0);
    const pick = (mine: Milestone[]): CommandKind => {
      let r = Math.random() * total;
      for (const kind of ['register', 'plan', 'progress', 'reschedule'] as const) {
        r -= mix[kind];
        if (r < 0) return (kind === 'progress' || kind === 'reschedule') && mine.length === 0 ? 'plan' : kind;
      }
      return 'progress';
    };
    await Promise.all(
      own.map(async (mine) => {
        while (left > 0) {
          left--;
          const kind = pick(mine);
          if (kind === 'register') await this.register(false);
          else if (kind === 'plan') {
            const agreement = this.agreements[Math.floor(Math.random() * this.agreements.length)];
            const r = await this.plan(agreement.id, false);
            const m = r.resourceId ? this.milestones.find((x) => x.id === r.resourceId) : undefined;
            if (m) mine.push(m);
          } else await this.change(kind, mine[Math.floor(Math.random() * mine.length)]);
          this.answered++;
          for (const w of this.waiters.filter((x) => x.n <= this.answered)) w.resolve();
          this.waiters = this.waiters.filter((x) => x.n > this.answered);
        }
      }),
    );
  }

  private nextId(): string {
    return `${this.tag}-${String(++this.seq).padStart(6, '0')}`;
  }

  private headers(key: string, version?: number): Record<string, string> {
    return {
      ...MONITOR,
      'idempotency-key': `${this.runTag}-${key}`,
      ...(version !== undefined && { 'if-match': `"${version}"` }),
    };
  }

  private record(
    r: Omit<CommandRecord, 'key' | 'conflictAfterUnanswered' | 'finishedAt'> & {
      conflictAfterUnanswered?: boolean;
    },
  ): CommandRecord {
    const full: CommandRecord = {
      key: `${this.runTag}-${r.id}`,
      conflictAfterUnanswered: false,
      finishedAt: Date.now(),
      ...r,
    };
    this.records.push(full);
    return full;
  }

  async register(setup: boolean): Promise<CommandRecord> {
    const id = this.nextId();
    const reference = `${this.referencePrefix}${id.slice(this.tag.length + 1)}`;
    const answer = await send(
      `${this.stack.agreements.url}/agreements`,
      {
        method: 'POST',
        headers: this.headers(id),
        // Signed today: an agreement signed months ago with no progress since would be `stalled`, and the deadline
        // scan would raise alerts for it in the middle of the scenario.
        body: trUzMemorandum(reference, {
          title: `Fault suite memorandum ${id}`,
          commodities: ['copper'],
          signedOn: calendarDateOf(new Date()),
        }),
      },
      this.policy,
    );
    return this.record({
      id,
      kind: 'register',
      setup,
      marker: reference,
      answer,
      resourceId: answered(answer, agreementStreamId(''))?.id,
    });
  }

  async plan(agreementId: string, setup: boolean): Promise<CommandRecord> {
    const id = this.nextId();
    const title = `Fault suite survey ${id}`;
    const answer = await send(
      `${this.stack.milestones.url}/milestones`,
      {
        method: 'POST',
        headers: this.headers(id),
        body: { agreementId, type: 'geological_survey', title, dueDate: DUE },
      },
      this.policy,
    );
    const created = answered(answer, milestoneStreamId(''));
    if (created && !this.milestones.some((m) => m.id === created.id))
      this.milestones.push({ id: created.id, agreementId, version: created.version, dueDate: DUE });
    return this.record({ id, kind: 'plan', setup, marker: title, answer, resourceId: created?.id });
  }

  /** A progress report or a reschedule to a later date of `m`, with If-Match of the version this client knows. */
  async change(kind: 'progress' | 'reschedule', m: Milestone): Promise<CommandRecord> {
    const id = this.nextId();
    const newDueDate = addDays(m.dueDate, 1 + Math.floor(Math.random() * 20));
    const [path, marker, body] =
      kind === 'progress'
        ? ['progress', `fault suite progress ${id}`, { percent: Math.floor(Math.random() * 101) }]
        : ['reschedule', `fault suite slip ${id}`, { newDueDate }];
    const answer = await send(
      `${this.stack.milestones.url}/milestones/${m.id}/${path}`,
      {
        method: 'POST',
        headers: this.headers(id, m.version),
        body: { ...body, [kind === 'progress' ? 'note' : 'reason']: marker },
      },
      this.policy,
    );
    const conflictAfterUnanswered = answer.status === 409 && answer.attempts > 1;
    const changed = answered(answer, milestoneStreamId(''));
    if (changed) {
      m.version = changed.version;
      if (kind === 'reschedule') m.dueDate = newDueDate;
    } else {
      await this.refresh(m);
      // A 409 names the stored version; the view read back may still lag behind it (healed from the topic).
      const current = (answer.body as { currentVersion?: unknown } | undefined)?.currentVersion;
      if (answer.status === 409 && typeof current === 'number' && current > m.version) m.version = current;
    }
    return this.record({
      id,
      kind,
      setup: false,
      marker,
      milestoneId: m.id,
      answer,
      conflictAfterUnanswered,
    });
  }

  /** Reads the milestone's version and due date again (after an answer that did not tell them). */
  async refresh(m: Milestone): Promise<void> {
    const answer = await send(
      `${this.stack.milestones.url}/milestones/${m.id}`,
      { method: 'GET', headers: MONITOR },
      this.policy,
    );
    if (!ok(answer))
      throw new Error(
        `reading milestone ${m.id} answered ${answer.status} after ${answer.attempts} attempts`,
      );
    const view = answer.body as { version: number; dueDate: string };
    m.version = view.version;
    m.dueDate = view.dueDate;
  }
}
