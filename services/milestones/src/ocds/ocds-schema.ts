/**
 * The part of the Open Contracting Data Standard this service writes and reads, as JSON Schema: OCDS 1.1.5,
 * written from the standard's published schemas
 *   https://standard.open-contracting.org/schema/1__1__5/release-package-schema.json
 *   https://standard.open-contracting.org/schema/1__1__5/release-schema.json
 * keeping, for the objects used (package, release, award, contract, implementation, milestone, document,
 * identifier), the fields used, their types, formats, required lists and closed codelists as published. Like the
 * standard's, the schemas allow further fields (OCDS extensions add them); this service's extension fields on a
 * milestone are named below (ADR 0012). Written as draft-07 (the standard's draft-04 `id` is `$id` here) so that ajv
 * reads it as it is.
 */

/** Dates and times in OCDS are RFC 3339 date-times. */
const dateTime = { type: ['string', 'null'], format: 'date-time' } as const;
const text = { type: ['string', 'null'] } as const;
const idField = { type: ['string', 'integer'], minLength: 1 } as const;

/** OCDS 1.1.5 milestoneStatus (closed codelist). */
export const OCDS_MILESTONE_STATUSES = ['scheduled', 'met', 'notMet', 'partiallyMet'] as const;
/** OCDS 1.1.5 milestoneType (open codelist): the codes this service writes. */
export const OCDS_MILESTONE_TYPES = [
  'preProcurement',
  'approval',
  'engagement',
  'assessment',
  'delivery',
  'reporting',
  'financing',
] as const;

export const documentSchema = {
  $id: 'https://tracker.example/ocds/1.1.5/Document',
  type: 'object',
  required: ['id'],
  properties: {
    id: idField,
    documentType: text,
    title: text,
    description: text,
    url: { type: ['string', 'null'], format: 'uri' },
    datePublished: dateTime,
    dateModified: dateTime,
    format: text,
    language: text,
  },
} as const;

/**
 * Milestone (release-schema.json#/definitions/Milestone), with the milestone documents extension's `documents`
 * (deprecated in core 1.1, kept by that core extension) and this service's extension fields.
 */
export const milestoneSchema = {
  $id: 'https://tracker.example/ocds/1.1.5/Milestone',
  type: 'object',
  required: ['id'],
  properties: {
    id: idField,
    title: text,
    type: text,
    description: text,
    code: text,
    dueAfterDate: dateTime,
    dueDate: dateTime,
    dateMet: dateTime,
    dateModified: dateTime,
    status: { type: ['string', 'null'], enum: [...OCDS_MILESTONE_STATUSES, null] },
    documents: { type: 'array', items: documentSchema, uniqueItems: true },
    // Extension fields (ADR 0012): the tracker's own status where OCDS has no code, the first due date, progress.
    statusDetails: {
      type: ['string', 'null'],
      enum: ['scheduled', 'inProgress', 'met', 'partiallyMet', 'notMet', 'cancelled', null],
    },
    plannedDueDate: dateTime,
    percentComplete: { type: ['integer', 'null'], minimum: 0, maximum: 100 },
  },
} as const;

const identifierSchema = {
  type: 'object',
  properties: {
    scheme: text,
    id: { type: ['string', 'integer', 'null'] },
    legalName: text,
    uri: { type: ['string', 'null'], format: 'uri' },
  },
} as const;

/** A release whose milestones are `milestones` (the Milestone schema, or any object when read one by one). */
function releaseSchema(milestones: object) {
  return {
    type: 'object',
    required: ['ocid', 'id', 'date', 'tag', 'initiationType'],
    properties: {
      ocid: { type: 'string', minLength: 1 },
      id: { type: 'string', minLength: 1 },
      date: { type: 'string', format: 'date-time' },
      publisher: identifierSchema,
      tag: { type: 'array', items: { type: 'string' }, minItems: 1 },
      initiationType: { type: 'string', enum: ['tender'] },
      language: text,
      awards: {
        type: 'array',
        uniqueItems: true,
        items: {
          type: 'object',
          required: ['id'],
          properties: {
            id: idField,
            title: text,
            description: text,
            status: {
              type: ['string', 'null'],
              enum: ['pending', 'active', 'cancelled', 'unsuccessful', null],
            },
            date: dateTime,
          },
        },
      },
      contracts: {
        type: 'array',
        uniqueItems: true,
        items: {
          type: 'object',
          required: ['id', 'awardID'],
          properties: {
            id: idField,
            awardID: idField,
            title: text,
            description: text,
            status: {
              type: ['string', 'null'],
              enum: [
                'pending',
                'active',
                'cancelled',
                'terminated',
                'terminatedEarly',
                'terminatedSuccessfully',
                null,
              ],
            },
            statusDetails: text,
            dateSigned: dateTime,
            implementation: {
              type: 'object',
              properties: { milestones: { type: 'array', items: milestones, uniqueItems: true } },
            },
          },
        },
      },
    },
  };
}

function packageSchema(milestones: object) {
  return {
    type: 'object',
    required: ['uri', 'publishedDate', 'publisher', 'releases', 'version'],
    properties: {
      uri: { type: 'string', format: 'uri' },
      version: { type: 'string', pattern: '^(\\d+\\.)(\\d+)$' },
      extensions: { type: 'array', items: { type: 'string', format: 'uri' } },
      publishedDate: { type: 'string', format: 'date-time' },
      publisher: {
        type: 'object',
        required: ['name'],
        properties: {
          name: { type: 'string' },
          scheme: text,
          uid: text,
          uri: { type: ['string', 'null'], format: 'uri' },
        },
      },
      license: { type: ['string', 'null'], format: 'uri' },
      publicationPolicy: { type: ['string', 'null'], format: 'uri' },
      releases: { type: 'array', minItems: 1, items: releaseSchema(milestones), uniqueItems: true },
    },
  };
}

/** The whole release package, milestones included: what the export answers. */
export const releasePackageSchema = {
  $id: 'https://tracker.example/ocds/1.1.5/ReleasePackage',
  ...packageSchema(milestoneSchema),
};

/** The package's frame, milestones taken as any object: an import checks each milestone on its own. */
export const releasePackageFrameSchema = {
  $id: 'https://tracker.example/ocds/1.1.5/ReleasePackageFrame',
  ...packageSchema({ type: 'object' }),
};
