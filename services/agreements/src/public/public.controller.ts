/**
 * The public transparency routes (issue 21): no key needed (@Public, and an empty security requirement in the
 * OpenAPI); rate-limited by the platform's throttler, which tracks a caller without a known key by its address
 * (RATE_LIMIT_PER_MINUTE per IP, 429 with Retry-After); a private agreement answers 404 exactly as an unknown one. `POST /agreements/{id}/visibility` is how a monitor
 * publishes one (private by default).
 */
import { Body, Controller, Get, Param, ParseUUIDPipe, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import {
  ApiKeyRequired,
  ApiProblems,
  ApiPublic,
  ApiUuidParam,
  Change,
  ChangeRoute,
  Public,
  type ChangeContext,
} from '@tracker/platform';
import { AgreementsService } from '../agreements/agreements.service';
import { Agreement } from '../agreements/responses';
import { ATOM_MEDIA_TYPE } from './atom';
import { VisibilityDto } from './dto';
import { PublicAgreementsService } from './public.service';
import { PublicAgreementDetail, PublicAgreementList } from './responses';

const ATOM_RESPONSE = {
  description:
    'an Atom 1.0 feed (RFC 4287), newest recorded first; entry ids are urn:uuid:<event id>, stable across requests',
  content: {
    [ATOM_MEDIA_TYPE]: {
      schema: {
        type: 'string',
        example: '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">…</feed>',
      },
    },
  },
};

/** The origin the caller reached, for the feed's absolute links. */
const baseUrlOf = (req: Request) => `${req.protocol}://${req.get('host') ?? 'localhost'}`;

function sendAtom(res: Response, xml: string) {
  res.status(200).type(`${ATOM_MEDIA_TYPE}; charset=utf-8`).send(xml);
}

@ApiTags('public')
@ApiPublic()
@ApiProblems(400, 429)
@Public()
@Controller('public')
export class PublicAgreementsController {
  constructor(private readonly publicAgreements: PublicAgreementsService) {}

  @Get('agreements')
  @ApiOperation({ summary: 'Public agreements: their facts, status and milestone counts (no key needed)' })
  @ApiOkResponse({ type: PublicAgreementList })
  list() {
    return this.publicAgreements.list();
  }

  @Get('agreements/:id')
  @ApiOperation({
    summary:
      'A public agreement: facts, milestones with slips and evidence, timeline (no key needed); 404 when private or unknown',
  })
  @ApiUuidParam()
  @ApiOkResponse({ type: PublicAgreementDetail })
  @ApiProblems(404)
  get(@Param('id', ParseUUIDPipe) id: string) {
    return this.publicAgreements.get(id);
  }

  @Get('agreements/:id/feed.atom')
  @ApiOperation({
    summary: 'Atom feed of a public agreement’s changes (no key needed); 404 when private or unknown',
  })
  @ApiUuidParam()
  @ApiProduces(ATOM_MEDIA_TYPE)
  @ApiOkResponse(ATOM_RESPONSE)
  @ApiProblems(404)
  async agreementFeed(@Param('id', ParseUUIDPipe) id: string, @Req() req: Request, @Res() res: Response) {
    sendAtom(res, await this.publicAgreements.feed(id, baseUrlOf(req), `/public/agreements/${id}/feed.atom`));
  }

  @Get('feed.atom')
  @ApiOperation({ summary: 'Atom feed of the changes of every public agreement (no key needed)' })
  @ApiProduces(ATOM_MEDIA_TYPE)
  @ApiOkResponse(ATOM_RESPONSE)
  async feed(@Req() req: Request, @Res() res: Response) {
    sendAtom(res, await this.publicAgreements.feed(undefined, baseUrlOf(req), '/public/feed.atom'));
  }
}

/** A monitor's decision to publish an agreement or make it private again. */
@ApiTags('agreements')
@ApiKeyRequired()
@Controller('agreements')
export class AgreementVisibilityController {
  constructor(private readonly agreements: AgreementsService) {}

  @ChangeRoute(
    ':id/visibility',
    'Make the agreement public (readable without a key at /public/agreements/{id}) or private again, with the reason (If-Match required)',
    Agreement,
  )
  visibility(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: VisibilityDto,
    @Change() change: ChangeContext,
  ) {
    return this.agreements.change(
      id,
      { kind: 'changeVisibility', public: dto.public, reason: dto.reason },
      change,
    );
  }
}
