import { Writable } from 'node:stream';
import { correlationContext } from './correlation';
import { createPinoLogger } from './logger';

describe('correlationContext', () => {
  it('carries the id through async work, nested runs, and both argument orders', async () => {
    expect(correlationContext.current()).toBeUndefined();
    await correlationContext.run('outer', async () => {
      await new Promise((r) => setTimeout(r, 1));
      expect(correlationContext.current()).toBe('outer');
      correlationContext.run(() => expect(correlationContext.current()).toBe('inner'), 'inner');
      expect(correlationContext.current()).toBe('outer');
    });
    expect(correlationContext.current()).toBeUndefined();
  });

  it('puts the id into every log line written inside the context (Kafka consumers)', () => {
    const lines: Array<Record<string, unknown>> = [];
    const destination = new Writable({
      write(chunk: Buffer, _e, done) {
        lines.push(JSON.parse(chunk.toString()));
        done();
      },
    });
    const logger = createPinoLogger({ serviceName: 'alerts', level: 'info', destination });
    correlationContext.run('corr-123', () => logger.info('handling milestone.rescheduled'));
    logger.info('outside');
    expect(lines[0]).toMatchObject({
      service: 'alerts',
      correlationId: 'corr-123',
      msg: 'handling milestone.rescheduled',
    });
    expect(lines[1]).not.toHaveProperty('correlationId');
  });
});
