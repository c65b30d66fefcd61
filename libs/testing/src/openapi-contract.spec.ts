import { Writable } from 'node:stream';
import { Body, Controller, Get, Module, Param, ParseUUIDPipe } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { ApiOkResponse, ApiProperty, ApiPropertyOptional, ApiTags, type OpenAPIObject } from '@nestjs/swagger';
import { Test } from '@nestjs/testing';
import { IsIn, IsOptional, IsString, MinLength } from 'class-validator';
import request from 'supertest';
import {
  ApiKeyRequired,
  ApiProblems,
  ApiUuidParam,
  BaseServiceConfig,
  Change,
  ChangeRoute,
  configureApp,
  DEV_KEYS,
  IsCalendarDate,
  loadConfig,
  NotFoundProblem,
  PlatformModule,
  type ChangeContext,
} from '@tracker/platform';
import { exampleRequestFindings, openApiFindings, responseFindings } from './openapi-contract';

const KNOWN = '0197a3c2-5d1e-7b4a-9c3f-2e8d1a6b4c70';

class RenameDto {
  @ApiProperty({ example: 'Pilot refinery' })
  @IsString()
  @MinLength(3)
  title: string;

  @ApiPropertyOptional({ enum: ['copper', 'rare-earth-elements'], example: 'copper' })
  @IsOptional()
  @IsIn(['copper', 'rare-earth-elements'])
  commodity?: string;

  @ApiPropertyOptional({ example: '2026-06-30' })
  @IsOptional()
  @IsCalendarDate()
  dueOn?: string;
}

class Thing {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ type: 'integer', minimum: 1 })
  version: number;

  @ApiProperty({ example: 'Pilot refinery' })
  title: string;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}

@ApiTags('things')
@ApiKeyRequired()
@Controller('things')
class ThingsController {
  @Get(':id')
  @ApiUuidParam()
  @ApiOkResponse({ type: Thing })
  @ApiProblems(404)
  get(@Param('id', ParseUUIDPipe) id: string): Thing {
    if (id !== KNOWN) throw NotFoundProblem.of('thing', id);
    return { id, version: 3, title: 'Pilot refinery', createdAt: '2026-03-01T09:00:00.000Z' };
  }

  @ChangeRoute(':id/rename', 'Rename a thing', Thing)
  rename(@Param('id', ParseUUIDPipe) id: string, @Body() dto: RenameDto, @Change() change: ChangeContext): Thing {
    return { id, version: change.expectedVersion + 1, title: dto.title, createdAt: '2026-03-01T09:00:00.000Z' };
  }
}

@Module({
  imports: [
    PlatformModule.forRoot({
      serviceName: 'things',
      config: loadConfig(BaseServiceConfig, { NODE_ENV: 'test', LOG_LEVEL: 'error' }),
      logDestination: new Writable({ write: (_chunk, _enc, done) => done() }),
    }),
  ],
  controllers: [ThingsController],
})
class ThingsModule {}

const clone = <T>(value: T): T => structuredClone(value);
const auth = { Authorization: `Bearer ${DEV_KEYS.monitor}` };

describe('the OpenAPI contract checks', () => {
  let app: NestExpressApplication;
  let doc: OpenAPIObject;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [ThingsModule] }).compile();
    app = moduleRef.createNestApplication<NestExpressApplication>({ bodyParser: false, bufferLogs: true });
    configureApp(app);
    await app.init();
    doc = (await http().get('/docs-json').expect(200)).body;
  });
  afterAll(() => app?.close());

  describe('a document built with the platform’s decorators', () => {
    it('has nothing to report: the platform’s routes (/me, /health, /metrics) and a documented controller', async () => {
      expect(Object.keys(doc.paths).sort()).toEqual(['/health/live', '/health/ready', '/me', '/metrics', '/things/{id}', '/things/{id}/rename']);
      expect(openApiFindings(doc)).toEqual([]);
      expect(await exampleRequestFindings(app, doc)).toEqual([]);
    });

    it('documents a change route: If-Match, the id as a UUID, 200 with ETag, the 202 of a stored change, its errors', () => {
      const op = doc.paths['/things/{id}/rename'].post!;
      expect(op.parameters).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ name: 'id', in: 'path', schema: expect.objectContaining({ format: 'uuid' }) }),
          expect.objectContaining({ name: 'If-Match', in: 'header', required: true }),
        ]),
      );
      expect(Object.keys(op.responses).sort()).toEqual(['200', '202', '400', '401', '403', '404', '409', '413', '415', '422', '428', '429']);
      expect(op.responses['200']).toMatchObject({ headers: { ETag: expect.any(Object) }, content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } } });
      expect(op.responses['202']).toMatchObject({ content: { 'application/json': { schema: { $ref: '#/components/schemas/ChangeStored' } } } });
    });

    it('says the public routes need no key', () => {
      expect(doc.paths['/health/live'].get!.security).toEqual([{}]);
      expect(doc.paths['/me'].get!.security).toEqual([{ bearer: [] }]);
      expect(Object.keys(doc.paths['/me'].get!.responses)).not.toContain('403');
    });

    it('holds real answers against it: a resource, a change, problem documents, the probes and metrics', async () => {
      const answers: Array<[string, string, request.Response]> = [
        ['GET', '/things/:id', await http().get(`/things/${KNOWN}`).set(auth)],
        ['GET', '/things/:id', await http().get('/things/0197a3c2-0000-7000-8000-000000000000').set(auth)],
        ['GET', '/things/:id', await http().get('/things/not-a-uuid').set(auth)],
        ['GET', '/things/:id', await http().get(`/things/${KNOWN}`)],
        ['POST', '/things/:id/rename', await http().post(`/things/${KNOWN}/rename`).set(auth).set('If-Match', '"3"').send({ title: 'New' })],
        ['POST', '/things/:id/rename', await http().post(`/things/${KNOWN}/rename`).set(auth).send({ title: 'New' })],
        ['POST', '/things/:id/rename', await http().post(`/things/${KNOWN}/rename`).set(auth).set('If-Match', '"3"').send({ title: 'x' })],
        ['GET', '/me', await http().get('/me').set(auth)],
        ['GET', '/health/live', await http().get('/health/live')],
        ['GET', '/health/ready', await http().get('/health/ready')],
        ['GET', '/metrics', await http().get('/metrics')],
      ];
      expect(answers.map(([, , res]) => res.status)).toEqual([200, 404, 400, 401, 200, 428, 400, 200, 200, 200, 200]);
      for (const [method, path, res] of answers) expect(responseFindings(doc, method, path, res)).toEqual([]);
    });
  });

  describe('what it reports', () => {
    it('a 2xx without a schema, a 4xx that is not a problem document, a 2xx missing altogether', () => {
      const broken = clone(doc);
      delete (broken.paths['/things/{id}'].get!.responses['200'] as { content?: unknown }).content;
      broken.paths['/things/{id}'].get!.responses['404'] = { description: 'gone', content: { 'application/json': { schema: { type: 'object' } } } };
      broken.paths['/me'].get!.responses = { '401': broken.paths['/me'].get!.responses['401'] };
      expect(openApiFindings(broken)).toEqual([
        'GET /things/{id} › 200: no content',
        'GET /things/{id} › 404: not documented as application/problem+json ProblemDetails',
        'GET /me: no 2xx response',
      ]);
    });

    it('an id or a date without its format, and examples their schema refuses', () => {
      const broken = clone(doc);
      const thing = broken.components!.schemas!['Thing'] as { properties: Record<string, Record<string, unknown>> };
      delete thing.properties['id'].format;
      thing.properties['createdAt'] = { type: 'string', example: 'yesterday', format: 'date-time' };
      const rename = broken.components!.schemas!['RenameDto'] as { properties: Record<string, Record<string, unknown>> };
      rename.properties['commodity'].example = 'rare earths';
      const findings = openApiFindings(broken);
      expect(findings).toEqual(
        expect.arrayContaining([
          'components › schemas › Thing › properties › id: id has no format uuid',
          expect.stringMatching(/^components › schemas › Thing › properties › createdAt: example "yesterday": .*date-time/),
          expect.stringMatching(/^components › schemas › RenameDto › properties › commodity: example "rare earths": .*allowed values/),
        ]),
      );
      expect(findings).toHaveLength(3);
    });

    it('a documented request example the validators refuse, and a required field without one', async () => {
      const broken = clone(doc);
      const rename = broken.components!.schemas!['RenameDto'] as { properties: Record<string, Record<string, unknown>> };
      rename.properties['title'].example = 'x';
      rename.properties['dueOn'].example = '1900-01-01'; // a date to the schema, but before any fact of ours: the validator's bounds
      expect(await exampleRequestFindings(app, broken)).toEqual([
        expect.stringMatching(/^POST \/things\/\{id\}\/rename: the documented body .* is refused: .*title must be longer.*dueOn must be a calendar date/),
      ]);
      delete rename.properties['title'].example;
      expect(await exampleRequestFindings(app, broken)).toEqual(expect.arrayContaining(['POST /things/{id}/rename: the required title has no example']));
    });

    it('an answer whose status, media type or body the document does not describe', () => {
      const json = { 'content-type': 'application/json; charset=utf-8' };
      expect(responseFindings(doc, 'GET', '/things/:id', { status: 200, headers: json, body: { id: 'x', version: 0, title: 'T' } })).toEqual([
        'GET /things/{id} → 200: body .id should match format "uuid"',
        'GET /things/{id} → 200: body .version should be >= 1',
        "GET /things/{id} → 200: body (value) should have required property 'createdAt'",
      ]);
      expect(responseFindings(doc, 'GET', '/things/:id', { status: 418, headers: json, body: {} })).toEqual([
        'GET /things/{id} → 418: status not documented (documented: 200, 400, 401, 403, 404, 429)',
      ]);
      expect(responseFindings(doc, 'GET', '/things/:id', { status: 404, headers: json, body: {} })).toEqual([
        'GET /things/{id} → 404: answered application/json, documented application/problem+json',
      ]);
      expect(responseFindings(doc, 'DELETE', '/things/:id', { status: 204, headers: {}, body: {} })).toEqual(['DELETE /things/{id} → 204: no such operation in the document']);
    });
  });
});
