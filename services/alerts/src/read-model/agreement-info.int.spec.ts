/**
 * `agreement_info` keeps the parties with their names, from the registration and from amendments, on the real
 * database and through the projection a replay runs (`agreementInfo.apply` on the collections it fills); the
 * payloads name them. A document written before names were kept still gives the parties' countries.
 */
import type { AgreementEventEnvelope } from '@tracker/contracts';
import { agreementRegistration, ForeignEvents, scratchCollections, useTestDatabase } from '@tracker/testing';
import { stallAlert } from '@tracker/alerts-domain';
import { alertSeq, type AlertDoc } from '../alerts/alerts.service';
import { buildAlertPayload } from '../alerts/payload';
import { agreementInfo, AgreementInfoStore, type AgreementInfo } from './agreement-info';

const agreementId = '0197a3c2-5d1e-7b4a-9c3f-2e8d1a6b4c71';
const urls = { alerts: 'https://alerts.example.org', agreements: 'https://agreements.example.org', milestones: 'https://milestones.example.org' };

/** The stall alert of the agreement as its document stands once raised: an agreement-level payload. */
function stallOf(info: AgreementInfo): AlertDoc {
  const draft = stallAlert({ agreementId, lastActivityAt: info.lastActivityAt ?? '', finished: false }, '2026-12-01');
  if (!draft) throw new Error('not stalled');
  return { _id: 'al-1', ...draft, version: 1, status: 'open', severityRank: 2, raisedAt: '2026-12-01T09:00:00.000Z', recordedAt: '2026-12-01T09:00:00.000Z', seq: alertSeq(1, 'al-1'), updatedAt: '2026-12-01T09:00:00.000Z' };
}

async function found(store: AgreementInfoStore): Promise<AgreementInfo> {
  const info = await store.get(agreementId);
  if (!info) throw new Error('no agreement_info');
  return info;
}

describe('agreement_info: the parties with their names', () => {
  const db = useTestDatabase('alerts_agreement_info');
  const events = new ForeignEvents(() => new Date('2026-03-01T09:00:00Z'));
  const event = (type: string, data: object) => events.next(`agreement-${agreementId}`, agreementId, type, { agreementId, ...data }) as AgreementEventEnvelope;

  it('given a registration and an amendment of the parties, a replay keeps their names and countries', async () => {
    const into = scratchCollections(db());
    await agreementInfo.apply(
      into,
      event('agreement.registered', {
        ...agreementRegistration('TR-UZ-2026-MINING', 'MoU on cooperation in the mining sector'),
        parties: [
          { country: 'tr', name: 'Republic of Türkiye' },
          { country: 'UZ', name: 'Republic of Uzbekistan' },
        ],
        signedOn: '2026-01-29',
        commodities: ['tungsten'],
      }),
    );
    const store = new AgreementInfoStore(into);
    expect(await store.get(agreementId)).toMatchObject({
      parties: [
        { country: 'TR', name: 'Republic of Türkiye' },
        { country: 'UZ', name: 'Republic of Uzbekistan' },
      ],
      partyCountries: ['TR', 'UZ'],
    });

    // The amendment names every party again: an organisation joins (no country), Türkiye's name is corrected.
    await agreementInfo.apply(
      into,
      event('agreement.amended', {
        changes: {
          parties: [
            { country: 'TR', name: 'Republic of Turkey' },
            { country: 'UZ', name: 'Republic of Uzbekistan' },
            { organisation: 'EBRD', name: 'European Bank for Reconstruction and Development' },
          ],
        },
      }),
    );
    const amended = await found(store);
    expect(amended).toMatchObject({
      parties: [
        { country: 'TR', name: 'Republic of Turkey' },
        { country: 'UZ', name: 'Republic of Uzbekistan' },
        { name: 'European Bank for Reconstruction and Development' },
      ],
      partyCountries: ['TR', 'UZ'],
    });
    // The payload names the countries' parties.
    expect(buildAlertPayload(stallOf(amended), amended, null, urls).agreement.parties).toEqual([
      { country: 'TR', name: 'Republic of Turkey' },
      { country: 'UZ', name: 'Republic of Uzbekistan' },
    ]);
  });

  it('given a document written before names were kept, the payload gives the countries only', async () => {
    const into = scratchCollections(db());
    const old: AgreementInfo = {
      _id: agreementId,
      version: 1,
      reference: 'TR-UZ-2026-MINING',
      title: 'MoU on cooperation in the mining sector',
      partyCountries: ['TR', 'UZ'],
      commodities: [],
      lifecycle: 'active',
      implementation: 'signed',
      lastActivityAt: '2026-01-29T00:00:00.000Z',
    };
    await into.collection<AgreementInfo>('agreement_info').insertOne(old);
    const info = await found(new AgreementInfoStore(into));
    expect(buildAlertPayload(stallOf(info), info, null, urls).agreement.parties).toEqual([{ country: 'TR' }, { country: 'UZ' }]);
  });
});
