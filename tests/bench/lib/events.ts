/** The events the benchmark stores itself (scenario 2 appends them, scenario 4 seeds a store with them). */
import type { NewEvent } from '@tracker/contracts';

/** The agreement every benchmark milestone belongs to. */
export const agreementId = '0190f4a0-0000-7000-8000-000000000001';

/** The i-th event (1-based) of a milestone stream: planned, then progress reports. */
export function milestoneEvent(milestoneId: string, i: number): NewEvent {
  if (i === 1) {
    return {
      type: 'milestone.planned',
      schemaVersion: 1,
      data: { milestoneId, agreementId, type: 'geological_survey', title: 'Joint exploration and resource-mapping programme', dueDate: '2030-12-31', evidence: [] },
    };
  }
  return {
    type: 'milestone.progress-reported',
    schemaVersion: 1,
    data: { milestoneId, agreementId, percent: Math.min(100, i), note: `benchmark progress report ${i}: field work continues as planned`, evidence: [] },
  };
}
