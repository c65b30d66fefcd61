import { agreementStatusChange, type AgreementEvent } from './agreement-events';

const event = (type: AgreementEvent['type'], data: object = {}) => ({ type, schemaVersion: 1, data }) as AgreementEvent;

describe('agreementStatusChange', () => {
  it.each([
    ['agreement.registered', {}, { lifecycle: 'active', implementation: 'signed' }],
    ['agreement.suspended', {}, { lifecycle: 'suspended' }],
    ['agreement.resumed', {}, { lifecycle: 'active' }],
    ['agreement.terminated', {}, { lifecycle: 'terminated' }],
    ['agreement.expired', {}, { lifecycle: 'expired' }],
    ['agreement.status-derived', { from: 'signed', to: 'inImplementation' }, { implementation: 'inImplementation' }],
    ['agreement.amended', { changes: { title: 'x' } }, {}],
    ['agreement.source-attached', {}, {}],
  ] as const)('%s → %j', (type, data, change) => {
    expect(agreementStatusChange(event(type, data))).toEqual(change);
  });
});
