/**
 * RFC 9457 problem details: the one error shape of every service.
 * `{type, title, status, detail, instance, correlationId, errors?, ...extensions}` as application/problem+json.
 * Throw a {@link Problem} (or a subclass) from anywhere in a request; the ProblemFilter adds instance and
 * correlationId and writes it.
 */
import { HttpException } from '@nestjs/common';

export interface FieldError {
  /** Path of the offending input: `parties[0].country`, a query parameter or a header name. */
  field: string;
  message: string;
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  correlationId?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

const TYPES: Record<number, string> = {
  400: 'bad-request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not-found',
  405: 'method-not-allowed',
  409: 'conflict',
  412: 'precondition-failed',
  413: 'payload-too-large',
  415: 'unsupported-media-type',
  422: 'unprocessable-content',
  428: 'precondition-required',
  429: 'too-many-requests',
  500: 'internal-error',
  503: 'service-unavailable',
};

/** Problem type URIs are stable identifiers (not meant to be fetched). */
export function problemType(status: number, slug = TYPES[status] ?? `http-${status}`): string {
  return `urn:tracker:problem:${slug}`;
}

export class Problem extends HttpException {
  readonly type: string;

  constructor(
    status: number,
    readonly title: string,
    readonly detail?: string,
    readonly extensions: Record<string, unknown> & { errors?: FieldError[] } = {},
    type?: string,
  ) {
    super({ title, status, detail, ...extensions }, status, { description: detail ?? title });
    this.type = type ?? problemType(status);
    this.message = detail ?? title;
  }

  toBody(): ProblemBody {
    return {
      type: this.type,
      title: this.title,
      status: this.getStatus(),
      ...(this.detail !== undefined && { detail: this.detail }),
      ...this.extensions,
    };
  }
}

/** 400 with one entry per invalid field. */
export class ValidationProblem extends Problem {
  constructor(errors: FieldError[], detail = 'The request is invalid: see errors for each field.') {
    super(400, 'Validation failed', detail, { errors }, problemType(400, 'validation-error'));
  }
}

export class NotFoundProblem extends Problem {
  constructor(detail = 'The resource was not found.', extensions?: Record<string, unknown>) {
    super(404, 'Not Found', detail, extensions);
  }

  /** `NotFoundProblem.of('agreement', id)` → "agreement <id> was not found". */
  static of(kind: string, id: string): NotFoundProblem {
    return new NotFoundProblem(`${kind} ${id} was not found`);
  }
}

/** 409: the resource changed since the client read it; `currentVersion` tells it which version to re-read. */
export class ConflictProblem extends Problem {
  constructor(detail: string, currentVersion?: number, extensions: Record<string, unknown> = {}) {
    super(409, 'Conflict', detail, {
      ...(currentVersion !== undefined && { currentVersion }),
      ...extensions,
    });
  }
}

/** 422: well-formed, but the command is not allowed in the resource's state (business rule). */
export class UnprocessableProblem extends Problem {
  constructor(detail: string, errors?: FieldError[], extensions: Record<string, unknown> = {}) {
    super(422, 'Unprocessable Content', detail, { ...(errors && { errors }), ...extensions });
  }
}

export class ForbiddenProblem extends Problem {
  constructor(detail = 'Your API key does not have the role this action requires.') {
    super(403, 'Forbidden', detail);
  }
}

export class UnauthorizedProblem extends Problem {
  constructor(detail = 'An API key is required: send Authorization: Bearer <key>.') {
    super(401, 'Unauthorized', detail);
  }
}

/** 428: a write that needs If-Match was sent without it. */
export class PreconditionRequiredProblem extends Problem {
  constructor(
    detail = 'This request must carry If-Match with the version (ETag) it was based on, e.g. If-Match: "3".',
  ) {
    super(428, 'Precondition Required', detail);
  }
}
