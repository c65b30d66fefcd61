// Decides which Kafka and MongoDB the integration tests talk to, in this order:
//  1. KAFKA_BROKERS and MONGO_URL from the environment (an existing stack, e.g. CI or `npm run up`);
//  2. official images through testcontainers, where a Docker engine answers;
//  3. the Docker-free local stack under deploy/local (a real Kafka broker from its jars, FerretDB).
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

function startLocal() {
  if (!fs.existsSync(infraScript)) throw new Error(`missing ${infraScript}`);
  // Leave alone what was running before (e.g. `npm run up`): stop only what this run starts.
  const before = execFileSync('bash', [infraScript, 'status'], { encoding: 'utf8' });
  const wasRunning = /kafka: running/.test(before) && /ferretdb: running/.test(before);
  log(wasRunning ? 'using the local Kafka and FerretDB already running' : 'starting local Kafka and FerretDB (deploy/local/infra.sh start)');
  execFileSync('bash', [infraScript, 'start'], { stdio: ['ignore', 'inherit', 'inherit'] });
  const env = execFileSync('bash', [infraScript, 'env'], { encoding: 'utf8' });
  const vars = Object.fromEntries(
    [...env.matchAll(/^export (\w+)=(.*)$/gm)].map(([, k, v]) => [k, v.replace(/^["']|["']$/g, '')]),
  );
  return {
    brokers: vars.KAFKA_BROKERS,
    mongoUrl: vars.MONGO_URL,
    stop: async () => {
      if (wasRunning) return;
      log('stopping local Kafka and FerretDB');
      execFileSync('bash', [infraScript, 'stop'], { stdio: ['ignore', 'inherit', 'inherit'] });
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
