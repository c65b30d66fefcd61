/**
 * Hash stability, as a property: whatever text a client sends, either it is refused (400 naming the field, nothing
 * stored) or it is stored as its NFC form and the event chain verifies afterwards, through the real HTTP pipeline
 * and the real database. A string the database cannot keep byte for byte (an unpaired surrogate becomes U+FFFD)
 * would make `/audit/verify` report a hash mismatch for its stream.
 */
import fc from 'fast-check';
import { textProblem } from '@tracker/platform';
import { startService, testConfig, trUzMemorandum, uniqueName, type RunningService } from '@tracker/testing';
import { AgreementsConfig } from './config';
import { AgreementsApp } from './service';

describe('text through the store keeps the hash chain whole (property, integration)', () => {
  let svc: RunningService;

  beforeAll(async () => {
    svc = await startService(AgreementsApp.forRoot(testConfig(AgreementsConfig, { KAFKA_TOPIC_PREFIX: `${uniqueName('hashprop')}.` }), { startMessaging: false }));
  });
  afterAll(async () => svc?.close());

  // Any code points (unpaired surrogates, controls, bidi overrides, combining marks, astral planes), and text
  // made of decomposed letters that NFC composes.
  const anyText = fc.oneof(
    fc.string({ unit: 'binary', minLength: 0, maxLength: 40 }),
    fc.string({ unit: 'grapheme', minLength: 0, maxLength: 20 }),
    fc.constantFrom('Tu\u0308rkiye', 'O\u0308zbekiston', 'Ankara \ud800 x', 'a\u0000b', 'x\u202Ey', 'e\u0301\u0327'),
  );

  it('stores what it accepts as NFC and verifies the chain; refuses the rest and stores nothing', async () => {
    let accepted = 0;
    let refusedCount = 0;
    let run = 0;
    await fc.assert(
      fc.asyncProperty(anyText, anyText, anyText, async (title, place, partyName) => {
        const reference = `HASH-PROP-${++run}-${Date.now().toString(36)}`;
        const body = trUzMemorandum(reference, {
          title: `MoU ${title}`,
          place: place || 'Ankara',
          parties: [
            { country: 'TR', name: `Republic of ${partyName}` },
            { country: 'UZ', name: 'Republic of Uzbekistan' },
          ],
        });
        const refused = [`MoU ${title}`, place || 'Ankara', `Republic of ${partyName}`].some((s) => textProblem(s) !== null);
        const res = await svc.as('monitor').post('/agreements').send(body);
        if (refused) {
          // Nothing stored: the chain check at the end counts exactly the accepted registrations.
          expect(res.status).toBe(400);
          expect(res.body.errors.length).toBeGreaterThan(0);
          refusedCount++;
          return;
        }
        expect(res.status).toBe(201);
        accepted++;
        expect(res.body.title).toBe(`MoU ${title}`.normalize('NFC'));
        expect(res.body.parties[0].name).toBe(`Republic of ${partyName}`.normalize('NFC'));
        const stored = await svc.as('auditor').get(`/agreements/${res.body.id}`);
        expect(stored.status).toBe(200);
        expect(stored.body.place).toBe((place || 'Ankara').normalize('NFC'));
      }),
      { numRuns: 150 },
    );
    // Both sides of the property were exercised.
    expect(accepted).toBeGreaterThan(30);
    expect(refusedCount).toBeGreaterThan(30);
    const verify = await svc.as('auditor').get('/audit/verify');
    expect(verify.status).toBe(200);
    expect(verify.body).toMatchObject({ ok: true, streamsChecked: accepted });
  });
});
