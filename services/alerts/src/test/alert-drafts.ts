/** Alert drafts for the alerts service's tests: a milestone's alert, as the rules would draft it. */
import { v7 as uuidv7 } from 'uuid';
import type { AlertDraft } from '@tracker/alerts-domain';

/**
 * A draft of `kind` about a new milestone of `agreementId` due 2026-12-31 (a pilot refinery), no window; `over`
 * sets anything else. The dedup key follows the milestone, kind, due date and window, as the rules make it.
 */
export function milestoneAlertDraft(agreementId: string, kind: AlertDraft['kind'], severity: AlertDraft['severity'], over: Partial<AlertDraft> = {}): AlertDraft {
  const draft: Omit<AlertDraft, 'dedupKey'> = {
    kind,
    severity,
    agreementId,
    milestoneId: uuidv7(),
    milestoneType: 'refinery',
    milestoneTitle: 'Pilot refinery commissioned',
    dueDate: '2026-12-31',
    window: null,
    facts: {},
    ...over,
  };
  return { dedupKey: `${draft.milestoneId}|${kind}|${draft.dueDate}|${draft.window ?? '-'}`, ...draft, ...(over.dedupKey && { dedupKey: over.dedupKey }) };
}
