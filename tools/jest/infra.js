// Decides which Kafka and MongoDB the integration tests talk to, in this order:
//  1. KAFKA_BROKERS and MONGO_URL from the environment (an existing stack, e.g. CI or `npm run up`);
//  2. official images through testcontainers, where a Docker engine answers;
//  3. the Docker-free local stack under deploy/local (a real Kafka broker from its jars, FerretDB), as a stack of
//     the test run's own (below), never the data directory of `npm run up`.
// Whatever this module starts, it also stops.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '../..');
const infraScript = path.join(root, 'deploy/local/infra.sh');

function log(msg) {
  process.stderr.write(`[test-infra] ${msg}\n`);
}

function dockerAvailable() {
  if (process.env.TRACKER_TEST_INFRA === 'local') return false;
  if (process.env.TRACKER_TEST_INFRA === 'testcontainers') return true;
  try {
    execFileSync('docker', ['info', '--format', '{{.ServerVersion}}'], { stdio: 'ignore', timeout: 5000 });
    return true;
  } catch {
    return false;
  }
}

async function startTestcontainers() {
  // Loaded lazily: these modules are only needed where a Docker engine exists.
  const { KafkaContainer } = await import('@testcontainers/kafka');
  const { MongoDBContainer } = await import('@testcontainers/mongodb');
  log('starting official Kafka and MongoDB images with testcontainers');
  const [kafka, mongo] = await Promise.all([
    new KafkaContainer(process.env.KAFKA_IMAGE || 'confluentinc/cp-kafka:7.9.1').withKraft().start(),
    new MongoDBContainer(process.env.MONGO_IMAGE || 'mongo:8.0').start(),
  ]);
  return {
    brokers: `${kafka.getHost()}:${kafka.getMappedPort(9093)}`,
    mongoUrl: `${mongo.getConnectionString()}?directConnection=true`,
    stop: async () => {
      await Promise.all([kafka.stop(), mongo.stop()]);
    },
  };
}

// The test run's own Kafka and FerretDB: deploy/local/infra.sh with INFRA_STATE_DIR (data, pid files, logs under
// deploy/local/.run/test-infra) on ports of their own, so the topics, consumer groups and databases the tests
// create never land in the data of `npm run up` (deploy/local/.data), and a running `npm run up` is never touched.
// The data is deleted when the run ends (and before it starts, if a killed run left some). TEST_INFRA_STATE_DIR and
// the TEST_*_PORT variables give a second test run beside it a stack of its own.
const TEST_STATE_DIR = process.env.TEST_INFRA_STATE_DIR
  ? path.resolve(process.env.TEST_INFRA_STATE_DIR)
  : path.join(root, 'deploy/local/.run/test-infra');
const TEST_PORTS = {
  KAFKA_PORT: process.env.TEST_KAFKA_PORT || '19092',
  KAFKA_CONTROLLER_PORT: process.env.TEST_KAFKA_CONTROLLER_PORT || '19093',
  MONGO_PORT: process.env.TEST_MONGO_PORT || '27117',
};

function startLocal() {
  if (!fs.existsSync(infraScript)) throw new Error(`missing ${infraScript}`);
  const env = { ...process.env, INFRA_STATE_DIR: TEST_STATE_DIR, ...TEST_PORTS };
  const infra = (...args) => execFileSync('bash', [infraScript, ...args], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const before = infra('status');
  if (!/kafka: running/.test(before) && !/ferretdb: running/.test(before)) infra('reset');
  log(`starting the tests' own Kafka (:${TEST_PORTS.KAFKA_PORT}) and FerretDB (:${TEST_PORTS.MONGO_PORT}) in ${path.relative(root, TEST_STATE_DIR)}`);
  infra('start');
  const vars = Object.fromEntries(
    [...infra('env').matchAll(/^export (\w+)=(.*)$/gm)].map(([, k, v]) => [k, v.replace(/^["']|["']$/g, '')]),
  );
  // Tests that call infra.sh themselves (e.g. `infra.sh env`) reach this stack too.
  Object.assign(process.env, { INFRA_STATE_DIR: TEST_STATE_DIR, ...TEST_PORTS });
  return {
    brokers: vars.KAFKA_BROKERS,
    mongoUrl: vars.MONGO_URL,
    stop: async () => {
      log(`stopping the tests' Kafka and FerretDB and deleting their data`);
      infra('reset');
    },
  };
}

/** Ensures KAFKA_BROKERS and MONGO_URL are set; returns a function that stops what was started (or null). */
async function ensureInfra() {
  if (process.env.KAFKA_BROKERS && process.env.MONGO_URL) return null;
  const infra = dockerAvailable() ? await startTestcontainers() : startLocal();
  process.env.KAFKA_BROKERS = infra.brokers;
  process.env.MONGO_URL = infra.mongoUrl;
  log(`KAFKA_BROKERS=${infra.brokers} MONGO_URL=${infra.mongoUrl}`);
  return infra.stop;
}

module.exports = { ensureInfra };
