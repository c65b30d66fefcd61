/** The path a service's main.ts takes: NestFactory through createHttpApp, and loadConfigOrExit. */
import { Controller, Module, Post, Body } from '@nestjs/common';
import { Writable } from 'node:stream';
import request from 'supertest';
import {
  BaseServiceConfig,
  createHttpApp,
  DEV_KEYS,
  loadConfig,
  loadConfigOrExit,
  PlatformModule,
} from '../index';

@Controller()
class EchoController {
  @Post('echo')
  echo(@Body() body: unknown) {
    return body;
  }
}

const silent = new Writable({ write: (_c, _e, done) => done() });

describe('createHttpApp', () => {
  it('builds a configured app from a module: body limit, problem details, docs', async () => {
    const config = loadConfig(BaseServiceConfig, { NODE_ENV: 'test', BODY_LIMIT: '1kb' });
    @Module({
      imports: [PlatformModule.forRoot({ serviceName: 'echo', config, logDestination: silent })],
      controllers: [EchoController],
    })
    class EchoModule {}

    const app = await createHttpApp(EchoModule);
    await app.init();
    try {
      const server = app.getHttpServer();
      const auth = { Authorization: `Bearer ${DEV_KEYS.admin}` };
      await request(server).post('/echo').set(auth).send({ a: 1 }).expect(201);
      const big = await request(server)
        .post('/echo')
        .set(auth)
        .send({ a: 'x'.repeat(2000) })
        .expect(413);
      expect(big.headers['content-type']).toMatch(/^application\/problem\+json/);
      await request(server).get('/docs-json').expect(200);
    } finally {
      await app.close();
    }
  });
});

describe('loadConfigOrExit', () => {
  it('prints the configuration errors and exits with status 1', () => {
    const exit = jest.spyOn(process, 'exit').mockImplementation(((code: number) => {
      throw new Error(`exit ${code}`);
    }) as never);
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(() => loadConfigOrExit(BaseServiceConfig, { PORT: '70000' })).toThrow('exit 1');
      expect(stderr).toHaveBeenCalledWith(
        expect.stringContaining('PORT must be an integer between 1 and 65535 (got "70000")'),
      );
    } finally {
      exit.mockRestore();
      stderr.mockRestore();
    }
  });
});
