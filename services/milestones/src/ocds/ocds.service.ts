/**
 * OCDS export and import of milestones (issue 21, ADR 0012). The export reads the milestone views and the
 * agreement directory; the import decides every change through the Milestone decider (Aggregates.execute), never
 * by writing a view. An import is idempotent: a milestone is found again by its id (one this service gave) or by
 * an id derived from its release's ocid and its own id (UUID v5), and a milestone already as published changes
 * nothing.
 */
import { Inject, Injectable } from '@nestjs/common';
import Ajv from 'ajv';
import { v5 as uuidv5 } from 'uuid';
import { DomainError } from '@tracker/contracts';
import { CLOCK, ValidationProblem, type Clock } from '@tracker/platform';
import { Aggregates, ReadModels, type CommandContext } from '@tracker/service-runtime';
import {
  milestoneDecider,
  type AgreementFacts,
  type MilestoneCommand,
  type MilestoneState,
} from '@tracker/milestones-domain';
import { AgreementDirectory } from '../agreement-directory/agreement-directory';
import { milestoneAggregate, milestoneViews, type MilestoneViewDoc } from '../milestones/milestone-views';
import {
  checkSteps,
  importSteps,
  OCID_PREFIX,
  releasePackage,
  wantedMilestone,
  type WantedMilestone,
} from './ocds';
import { milestoneSchema, releasePackageFrameSchema } from './ocds-schema';

/** Namespace of the ids given to milestones first seen in an import (UUID v5 of `<ocid>\n<milestone id>`). */
const IMPORTED_ID_NAMESPACE = '6f1d3a52-1c7e-4f0b-9d2a-8e4b5c7a9f31';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface ImportedItem {
  ocid: string;
  /** The milestone's id in the package. */
  externalId: string;
  milestoneId: string;
}
export interface ImportReport {
  created: Array<ImportedItem & { steps: string[] }>;
  updated: Array<ImportedItem & { steps: string[] }>;
  unchanged: ImportedItem[];
  refused: Array<{ ocid: string | null; externalId: string | null; reason: string }>;
}

// 'full': dates are checked as calendar dates (no 2026-13-45), not only by their shape.
const ajv = new Ajv({ allErrors: true, format: 'full' });
const checkFrame = ajv.compile(releasePackageFrameSchema);
const checkMilestone = ajv.compile(milestoneSchema);

/** ajv's errors in the platform's field form (`releases[0].ocid`). */
const fieldErrors = (errors: Ajv.ErrorObject[] | null | undefined, prefix = '') =>
  (errors ?? []).map((e) => ({
    field: `${prefix}${e.dataPath.replace(/^\./, '').replace(/\['([^']+)'\]/g, '.$1')}` || '(body)',
    message: `${e.dataPath.replace(/^\./, '') || 'the package'} ${e.message ?? 'is invalid'}`,
  }));

@Injectable()
export class OcdsService {
  constructor(
    private readonly directory: AgreementDirectory,
    private readonly aggregates: Aggregates,
    private readonly readModels: ReadModels,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  private get views() {
    return this.readModels.collection<MilestoneViewDoc>(milestoneViews.collections[0].name);
  }

  /** The agreement's milestones as an OCDS release package; 404 for an agreement unknown here. */
  async export(agreementId: string, uri: string) {
    const agreement = await this.directory.get(agreementId);
    if (!agreement) throw new DomainError('not-found', `agreement ${agreementId} not found`);
    const milestones = await this.views.find({ 'state.agreementId': agreementId }).sort({ _id: 1 }).toArray();
    return releasePackage(agreement, milestones, uri);
  }

  /** Creates and updates milestones from a release package; 400 when the package's frame is not OCDS. */
  async import(body: unknown, ctx: CommandContext): Promise<ImportReport> {
    if (!checkFrame(body)) throw new ValidationProblem(fieldErrors(checkFrame.errors));
    const report: ImportReport = { created: [], updated: [], unchanged: [], refused: [] };
    const seen = new Set<string>();
    const releases = (body as { releases: Array<Record<string, unknown>> }).releases;
    for (const [r, release] of releases.entries()) {
      const ocid = String(release['ocid']);
      const contracts = (release['contracts'] ?? []) as Array<{
        implementation?: { milestones?: unknown[] };
      }>;
      for (const [c, contract] of contracts.entries()) {
        for (const [i, milestone] of (contract.implementation?.milestones ?? []).entries()) {
          const at = `releases[${r}].contracts[${c}].implementation.milestones[${i}]`;
          const externalId =
            typeof (milestone as { id?: unknown }).id === 'string' ||
            typeof (milestone as { id?: unknown }).id === 'number'
              ? String((milestone as { id: unknown }).id)
              : null;
          const refuse = (reason: string) => report.refused.push({ ocid, externalId, reason });
          if (!checkMilestone(milestone)) {
            refuse(
              fieldErrors(checkMilestone.errors, `${at}.`)
                .map((e) => `${e.field}: ${e.message}`)
                .join('; '),
            );
            continue;
          }
          if (seen.has(`${ocid}\n${externalId}`)) {
            refuse(`milestone ${externalId} appears twice in the package`);
            continue;
          }
          seen.add(`${ocid}\n${externalId}`);
          const outcome = await this.importOne(
            ocid,
            String(release['id']),
            milestone as Record<string, unknown>,
            ctx,
          );
          if ('refused' in outcome) refuse(outcome.refused);
          else report[outcome.result].push(outcome.item as never);
        }
      }
    }
    return report;
  }

  private async importOne(
    ocid: string,
    releaseId: string,
    milestone: Record<string, unknown>,
    ctx: CommandContext,
  ): Promise<
    | { refused: string }
    | { result: 'created' | 'updated' | 'unchanged'; item: ImportedItem & { steps?: string[] } }
  > {
    if (!ocid.startsWith(OCID_PREFIX))
      return { refused: `ocid ${ocid} is not one of this tracker's (they start with ${OCID_PREFIX})` };
    const agreementId = ocid.slice(OCID_PREFIX.length);
    const agreement = UUID.test(agreementId) ? await this.directory.facts(agreementId) : null;
    if (!agreement) return { refused: `agreement ${agreementId} is unknown here` };
    const wanted = wantedMilestone(milestone, releaseId);
    if ('refused' in wanted) return wanted;

    const derivedId = uuidv5(`${ocid}\n${wanted.externalId}`, IMPORTED_ID_NAMESPACE);
    const own = UUID.test(wanted.externalId)
      ? await this.views.findOne({ _id: wanted.externalId.toLowerCase() })
      : null;
    const found = own ?? (await this.views.findOne({ _id: derivedId }));
    if (found && found.state.agreementId !== agreementId)
      return { refused: `milestone ${found._id} belongs to another agreement` };
    const item = { ocid, externalId: wanted.externalId, milestoneId: found?._id ?? derivedId };
    try {
      return found
        ? await this.update(found, wanted, agreement, item, ctx)
        : await this.create(derivedId, wanted, agreement, item, ctx);
    } catch (err) {
      // A refusal of the decider, or a change by someone else meanwhile (409): reported, the rest goes on.
      if (err instanceof DomainError || (err as { name?: string }).name === 'ConcurrencyError')
        return { refused: (err as Error).message };
      throw err;
    }
  }

  private commandsOf(steps: ReturnType<typeof importSteps>, agreement: AgreementFacts): MilestoneCommand[] {
    const now = this.clock.now().toISOString();
    return steps.map((s) => ({ ...s, now, agreement }) as MilestoneCommand);
  }

  private async run(
    milestoneId: string,
    commands: readonly MilestoneCommand[],
    version: number,
    ctx: CommandContext,
  ): Promise<void> {
    let expectedVersion = version;
    for (const command of commands) {
      const result = await this.aggregates.execute(milestoneAggregate, milestoneId, command, {
        ...ctx,
        expectedVersion,
      });
      expectedVersion = result.version;
    }
  }

  private async update(
    found: MilestoneViewDoc,
    wanted: WantedMilestone,
    agreement: AgreementFacts,
    item: ImportedItem,
    ctx: CommandContext,
  ) {
    const steps = importSteps(found.state, wanted);
    if (steps.length === 0) return { result: 'unchanged' as const, item };
    const commands = this.commandsOf(steps, agreement);
    checkSteps(found.state, commands);
    await this.run(found._id, commands, found.version, ctx);
    return { result: 'updated' as const, item: { ...item, steps: steps.map((s) => s.kind) } };
  }

  private async create(
    milestoneId: string,
    wanted: WantedMilestone,
    agreement: AgreementFacts,
    item: ImportedItem,
    ctx: CommandContext,
  ) {
    const closedWithEvidence = wanted.status === 'met' || wanted.status === 'partiallyMet';
    const plan: MilestoneCommand = {
      kind: 'plan',
      milestoneId,
      agreement,
      agreementId: agreement.agreementId,
      type: wanted.type,
      title: wanted.title,
      ...(wanted.description !== undefined && { description: wanted.description }),
      dueDate: wanted.dueDate,
      // An outcome carries its documents as its evidence; otherwise they are the plan's.
      evidence: closedWithEvidence ? [] : wanted.evidence,
      now: this.clock.now().toISOString(),
    };
    const planned = milestoneDecider
      .decide(plan, { exists: false })
      .reduce<MilestoneState>(milestoneDecider.evolve, { exists: false });
    const steps = importSteps(planned, wanted);
    const commands = this.commandsOf(steps, agreement);
    checkSteps(planned, commands);
    await this.run(milestoneId, [plan, ...commands], 0, ctx);
    return { result: 'created' as const, item: { ...item, steps: ['plan', ...steps.map((s) => s.kind)] } };
  }
}
