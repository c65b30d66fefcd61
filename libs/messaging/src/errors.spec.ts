import * as kafkajs from 'kafkajs';
import * as mongodb from 'mongodb';
import { classifyFailure, PermanentError, type FailureKind } from './errors';

const system = (code: string, message = code) => Object.assign(new Error(message), { code });

/** What the drivers throw when the database or the broker goes away, and what a handler throws on its own. */
const table: Array<[string, unknown, FailureKind]> = [
  // the database is away
  ['MongoNetworkError (connection refused)', new mongodb.MongoNetworkError('connect ECONNREFUSED 127.0.0.1:27017'), 'unavailable'],
  ['MongoNetworkTimeoutError', new mongodb.MongoNetworkTimeoutError('connection timed out'), 'unavailable'],
  ['MongoServerSelectionError', new mongodb.MongoServerSelectionError('Server selection timed out after 10000 ms', { servers: new Map() } as never), 'unavailable'],
  ['MongoNotConnectedError', new mongodb.MongoNotConnectedError('Client must be connected before running operations'), 'unavailable'],
  ['MongoTopologyClosedError', new mongodb.MongoTopologyClosedError(), 'unavailable'],
  ['MongoServerError ShutdownInProgress (91)', new mongodb.MongoServerError({ code: 91, errmsg: 'shutting down' }), 'unavailable'],
  ['MongoServerError NotWritablePrimary (10107)', new mongodb.MongoServerError({ code: 10107, errmsg: 'not primary' }), 'unavailable'],
  ['a server error labelled RetryableWriteError', new mongodb.MongoServerError({ code: 1, errmsg: 'x', errorLabels: ['RetryableWriteError'] }), 'unavailable'],
  ['mongoose buffering timeout', Object.assign(new Error('Operation `events.findOne()` buffering timed out after 10000ms'), { name: 'MongooseError' }), 'unavailable'],
  ['a socket reset', system('ECONNRESET', 'read ECONNRESET'), 'unavailable'],
  ['fetch failed, caused by a refused connection', new TypeError('fetch failed', { cause: system('ECONNREFUSED') }), 'unavailable'],
  ['DNS not answering', system('EAI_AGAIN', 'getaddrinfo EAI_AGAIN db'), 'unavailable'],
  // the broker is away
  ['KafkaJSConnectionError', new kafkajs.KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:9092'), 'unavailable'],
  ['KafkaJSRequestTimeoutError', new kafkajs.KafkaJSRequestTimeoutError('Request Produce(key: 0, version: 7) timed out'), 'unavailable'],
  [
    'KafkaJSNumberOfRetriesExceeded wrapping a connection error',
    new kafkajs.KafkaJSNumberOfRetriesExceeded(new kafkajs.KafkaJSConnectionError('Connection timeout'), { retryCount: 5, retryTime: 3000 }),
    'unavailable',
  ],
  [
    'KafkaJSProtocolError LEADER_NOT_AVAILABLE (retriable)',
    new kafkajs.KafkaJSProtocolError({ type: 'LEADER_NOT_AVAILABLE', code: 5, retriable: true, message: 'There is no leader' } as never),
    'unavailable',
  ],
  ['KafkaJSNoBrokerAvailableError', new (kafkajs as unknown as Record<string, new () => Error>).KafkaJSNoBrokerAvailableError(), 'unavailable'],
  ['a domain error wrapping a network failure', new Error('could not load the agreement', { cause: new mongodb.MongoNetworkError('socket closed') }), 'unavailable'],
  // the message will never be processed
  ['PermanentError', new PermanentError('milestone refers to an agreement that does not exist'), 'poison'],
  ['PermanentError thrown across realms (by name)', Object.assign(new Error('refused'), { name: 'PermanentError' }), 'poison'],
  ['PermanentError even when it wraps a network error', new PermanentError('refused', { cause: system('ECONNRESET') }), 'poison'],
  // neither: a bug, retried a few times then dead-lettered for a re-drive after the fix
  ['a TypeError in the handler', new TypeError("Cannot read properties of undefined (reading 'title')"), 'unknown'],
  ['MongoServerError duplicate key (11000)', new mongodb.MongoServerError({ code: 11000, errmsg: 'E11000 duplicate key' }), 'unknown'],
  ['MongoServerError BadValue (2)', new mongodb.MongoServerError({ code: 2, errmsg: 'bad value' }), 'unknown'],
  [
    'KafkaJSProtocolError REBALANCE_IN_PROGRESS (not retriable)',
    new kafkajs.KafkaJSProtocolError({ type: 'REBALANCE_IN_PROGRESS', code: 27, retriable: false, message: 'The group is rebalancing' } as never),
    'unknown',
  ],
  ['a string thrown', 'boom', 'unknown'],
  ['undefined thrown', undefined, 'unknown'],
];

describe('classifyFailure', () => {
  it.each(table.map(([name, err, kind]) => [`${name} → ${kind}`, err, kind] as const))('%s', (_name, err, kind) => {
    expect(classifyFailure(err)).toBe(kind);
  });

  it('does not loop on an error that is its own cause', () => {
    const err = new Error('self') as Error & { cause?: unknown };
    err.cause = err;
    expect(classifyFailure(err)).toBe('unknown');
  });
});
