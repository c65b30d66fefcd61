/**
 * What /ocds answers, for the OpenAPI: the release package as the OCDS 1.1.5 schema subset of ocds-schema.ts (in
 * OpenAPI 3.0's dialect), and the import report, whose classes implement the service's types.
 */
import { ApiProperty } from '@nestjs/swagger';
import type { ImportedItem, ImportReport } from './ocds.service';
import { releasePackageSchema } from './ocds-schema';

type Schema = Record<string, unknown>;

/** OCDS ids are any non-empty string (not UUIDs), its dates RFC 3339 date-times: said as patterns in the document. */
const OCDS_ID = '^.+$';
const OCDS_DATE_TIME = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}';

/** A property's schema in the document: an OCDS id or date named as such (the document's naming rule). */
function propertyOf(name: string, schema: Schema): Schema {
  if (name === 'id' || /ID$/.test(name)) return { ...schema, pattern: OCDS_ID };
  if (/[a-z](Date|On)$/.test(name) && schema['format'] === 'date-time')
    return { ...schema, pattern: OCDS_DATE_TIME };
  return schema;
}

/** JSON Schema as OpenAPI 3.0 reads it: `type: [x, 'null']` as `nullable`, several types as `oneOf`, no `$id`. */
export function openApiSchemaOf(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(openApiSchemaOf);
  if (!schema || typeof schema !== 'object') return schema;
  const out: Schema = {};
  for (const [key, value] of Object.entries(schema as Schema)) {
    if (key === '$id') continue;
    out[key] =
      key === 'properties'
        ? Object.fromEntries(
            Object.entries(value as Schema).map(([k, v]) => [k, propertyOf(k, openApiSchemaOf(v) as Schema)]),
          )
        : openApiSchemaOf(value);
  }
  if (Array.isArray(out['enum']) && (out['enum'] as unknown[]).includes(null))
    out['enum'] = (out['enum'] as unknown[]).filter((v) => v !== null);
  if (Array.isArray(out['type'])) {
    const types = (out['type'] as string[]).filter((t) => t !== 'null');
    const nullable = types.length < (out['type'] as string[]).length;
    delete out['type'];
    if (types.length === 1) out['type'] = types[0];
    else {
      // minLength belongs to the string alternative only.
      const { minLength, format, ...rest } = out;
      Object.keys(out).forEach((k) => delete out[k]);
      Object.assign(out, rest, {
        oneOf: types.map((t) => ({
          type: t,
          ...(t === 'string' && minLength !== undefined && { minLength }),
          ...(t === 'string' && format !== undefined && { format }),
        })),
      });
    }
    if (nullable) out['nullable'] = true;
  }
  return out;
}

export const RELEASE_EXAMPLE = {
  ocid: 'ocds-trkr00-0197a3c2-5d1e-7b4a-9c3f-2e8d1a6b4c70',
  id: 'ocds-trkr00-0197a3c2-5d1e-7b4a-9c3f-2e8d1a6b4c70-20261122100000',
  date: '2026-11-22T10:00:00.000Z',
  tag: ['contract', 'implementation'],
  initiationType: 'tender',
  contracts: [
    {
      id: '0197a3c2-5d1e-7b4a-9c3f-2e8d1a6b4c70',
      awardID: '0197a3c2-5d1e-7b4a-9c3f-2e8d1a6b4c70',
      implementation: {
        milestones: [
          {
            id: 'survey-1',
            title: 'Joint exploration and resource-mapping programme launched',
            type: 'assessment',
            code: 'geological_survey',
            dueDate: '2026-12-31T00:00:00Z',
            status: 'scheduled',
            statusDetails: 'inProgress',
            documents: [{ id: 'survey-1-plan', title: 'Work plan', url: 'https://example.org/plan.pdf' }],
          },
        ],
      },
    },
  ],
};

/** The documented schema of GET /ocds/agreements/{id}. */
export const RELEASE_PACKAGE_OPENAPI = openApiSchemaOf(releasePackageSchema) as Schema;

export class ImportedMilestone implements ImportedItem {
  @ApiProperty({ example: 'ocds-trkr00-0197a3c2-5d1e-7b4a-9c3f-2e8d1a6b4c70' })
  ocid: string;

  @ApiProperty({
    example: 'survey-1',
    pattern: '^.+$',
    description: 'the milestone’s id in the package (any OCDS id)',
  })
  externalId: string;

  @ApiProperty({ format: 'uuid', description: 'the milestone here' })
  milestoneId: string;
}

export class ChangedMilestone extends ImportedMilestone {
  @ApiProperty({ type: [String], example: ['plan', 'start'], description: 'the commands decided, in order' })
  steps: string[];
}

export class RefusedMilestone {
  @ApiProperty({ type: String, nullable: true })
  ocid: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    pattern: '^.+$',
    description: 'the milestone’s id in the package (any OCDS id)',
  })
  externalId: string | null;

  @ApiProperty({ example: 'cannot start: the milestone is already met' })
  reason: string;
}

export class OcdsImportReport implements ImportReport {
  @ApiProperty({ type: [ChangedMilestone] })
  created: ChangedMilestone[];

  @ApiProperty({ type: [ChangedMilestone] })
  updated: ChangedMilestone[];

  @ApiProperty({ type: [ImportedMilestone], description: 'already as published: nothing decided' })
  unchanged: ImportedMilestone[];

  @ApiProperty({
    type: [RefusedMilestone],
    description: 'not imported, with the reason; nothing of them was written',
  })
  refused: RefusedMilestone[];
}
