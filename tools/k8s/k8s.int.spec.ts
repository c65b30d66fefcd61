// The Kubernetes manifests (deploy/k8s) and docker-compose.yml, checked without a cluster: each overlay renders with
// kustomize, every rendered object passes kubeconform against the schemas shipped in deploy/k8s/schemas (strict:
// an unknown field fails), and the rules a reviewer would check by hand hold. Tools: deploy/k8s/tools/k8s-tools.sh.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { Topics } from '@tracker/contracts';
import { SERVICES } from '../lib/admin-api';
import { generatedFiles, KAFKA_CLUSTER, topicNames, topicSettings } from './topics';

jest.setTimeout(300_000);

const root = path.resolve(__dirname, '../..');
const overlays = ['local', 'production'] as const;
const schemas = path.join(root, 'deploy/k8s/schemas');

type Labels = Record<string, string>;
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean } };
}
interface Probe {
  httpGet?: { path: string; port: string | number };
}
interface Container {
  name: string;
  env?: EnvVar[];
  ports?: { name?: string; containerPort: number }[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
}
interface PeerSelector {
  podSelector?: { matchLabels?: Labels };
  namespaceSelector?: object;
}
// The rendered objects, typed only as far as the checks read them.
interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Labels; annotations?: Labels };
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each kind's spec differs; the checks read what they need
  spec?: any;
}

let bin = '';
const rendered = new Map<string, K8sObject[]>();

function run(tool: string, args: string[], input?: string): string {
  const result = spawnSync(path.join(bin, tool), args, { cwd: root, input, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`${tool} ${args.join(' ')} failed (exit ${result.status}):\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

function objects(overlay: string): K8sObject[] {
  const docs = rendered.get(overlay);
  if (!docs) throw new Error(`${overlay} was not rendered`);
  return docs;
}

const ofKind = (docs: K8sObject[], kind: string) => docs.filter((d) => d.kind === kind);
const matches = (selector: Labels | undefined, labels: Labels | undefined) =>
  !!selector && Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels?.[k] === v);

beforeAll(() => {
  // Builds kustomize and kubeconform from the Go module proxy on a machine that has not run `infra.sh install`.
  bin = execFileSync('bash', [path.join(root, 'deploy/k8s/tools/k8s-tools.sh'), 'bin'], { encoding: 'utf8' }).trim();
  for (const overlay of overlays) {
    const yaml = run('kustomize', ['build', `deploy/k8s/overlays/${overlay}`]);
    rendered.set(overlay, parseAllDocuments(yaml).map((d) => d.toJS() as K8sObject));
  }
});

describe.each(overlays)('the %s overlay', (overlay) => {
  it('renders with kustomize, and every object passes the offline schema check (kubeconform -strict)', () => {
    const yaml = run('kustomize', ['build', `deploy/k8s/overlays/${overlay}`]);
    // No -ignore-missing-schemas: a kind without a shipped schema is an error, not a skip.
    const out = run('kubeconform', ['-strict', '-summary', '-schema-location', `${schemas}/{{ .ResourceKind }}{{ .KindSuffix }}.json`, '-'], yaml);
    const count = objects(overlay).length;
    expect(out).toContain(`Summary: ${count} resources found parsing stdin - Valid: ${count}, Invalid: 0, Errors: 0, Skipped: 0`);
  });

  it('deploys exactly the services, each on its port with its own database, a Service, a PodDisruptionBudget and an autoscaler', () => {
    const docs = objects(overlay);
    const deployments = ofKind(docs, 'Deployment');
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual(Object.keys(SERVICES).sort());
    for (const d of deployments) {
      const name = d.metadata.name;
      const port = Number(new URL(SERVICES[name].url).port);
      const container: Container = d.spec.template.spec.containers[0];
      const env = Object.fromEntries((container.env ?? []).map((e) => [e.name, e.value]));
      expect({ name, PORT: env.PORT, MONGO_DB: env.MONGO_DB, containerPort: container.ports?.[0].containerPort }).toEqual({
        name,
        PORT: String(port),
        MONGO_DB: name,
        containerPort: port,
      });
      const pods: Labels = d.spec.template.metadata.labels;
      expect(ofKind(docs, 'Service').filter((s) => matches(s.spec.selector, pods)).map((s) => s.spec.ports[0].port)).toEqual([port]);
      expect(ofKind(docs, 'PodDisruptionBudget').filter((p) => matches(p.spec.selector.matchLabels, pods))).toHaveLength(1);
      expect(ofKind(docs, 'HorizontalPodAutoscaler').filter((h) => h.spec.scaleTargetRef.kind === 'Deployment' && h.spec.scaleTargetRef.name === name)).toHaveLength(1);
    }
  });

  it('gives every container both probes and CPU and memory requests and limits', () => {
    for (const d of ofKind(objects(overlay), 'Deployment')) {
      for (const c of d.spec.template.spec.containers as Container[]) {
        expect({
          container: `${d.metadata.name}/${c.name}`,
          readiness: c.readinessProbe?.httpGet?.path,
          liveness: c.livenessProbe?.httpGet?.path,
          requests: Object.keys(c.resources?.requests ?? {}).sort(),
          limits: Object.keys(c.resources?.limits ?? {}).sort(),
        }).toEqual({
          container: `${d.metadata.name}/${c.name}`,
          readiness: '/health/ready',
          liveness: '/health/live',
          requests: ['cpu', 'memory'],
          limits: ['cpu', 'memory'],
        });
      }
    }
  });

  it('lets only the services reach Kafka and MongoDB (NetworkPolicies select their pods)', () => {
    const docs = objects(overlay);
    const servicePods = ofKind(docs, 'Deployment').map((d) => d.spec.template.metadata.labels as Labels);
    const kafka = ofKind(docs, 'Kafka');
    const mongo = ofKind(docs, 'MongoDBCommunity');
    expect(kafka).toHaveLength(1);
    expect(mongo).toHaveLength(1);
    // The labels the operators put on their pods: Strimzi's broker pods, the MongoDB operator's `<name>-svc`.
    const kafkaPods: Labels = { 'strimzi.io/cluster': kafka[0].metadata.name, 'strimzi.io/kind': 'Kafka' };
    const mongoPods: Labels = { app: `${mongo[0].metadata.name}-svc` };
    const policies = ofKind(docs, 'NetworkPolicy');

    const admits = (pods: Labels, port: number) => {
      const selecting = policies.filter((p) => matches(p.spec.podSelector.matchLabels, pods));
      expect(selecting.length).toBeGreaterThan(0);
      const peers: PeerSelector[] = selecting.flatMap((p) =>
        (p.spec.ingress as { from: PeerSelector[]; ports: { port: number }[] }[]).filter((r) => r.ports.some((x) => x.port === port)).flatMap((r) => r.from),
      );
      // No rule open to everyone (an empty `from`, or a peer without a pod selector).
      expect(peers.every((peer) => peer.podSelector?.matchLabels && Object.keys(peer.podSelector.matchLabels).length > 0)).toBe(true);
      return peers;
    };

    const kafkaPeers = admits(kafkaPods, 9092);
    for (const pods of servicePods) expect(kafkaPeers.some((peer) => matches(peer.podSelector?.matchLabels, pods))).toBe(true);
    expect(kafkaPeers.every((peer) => servicePods.some((pods) => matches(peer.podSelector?.matchLabels, pods)))).toBe(true);
    // Strimzi writes its own policy for the listener; its peers must be the services too.
    const listener = (kafka[0].spec.kafka.listeners as { port: number; networkPolicyPeers?: PeerSelector[] }[]).find((l) => l.port === 9092);
    expect(listener?.networkPolicyPeers?.length).toBeGreaterThan(0);
    for (const peer of listener?.networkPolicyPeers ?? []) expect(servicePods.some((pods) => matches(peer.podSelector?.matchLabels, pods))).toBe(true);

    const mongoPeers = admits(mongoPods, 27017);
    for (const pods of servicePods) expect(mongoPeers.some((peer) => matches(peer.podSelector?.matchLabels, pods))).toBe(true);
    // Other than the services, only the replica set's own members.
    expect(mongoPeers.every((peer) => servicePods.some((pods) => matches(peer.podSelector?.matchLabels, pods)) || matches(peer.podSelector?.matchLabels, mongoPods))).toBe(true);
  });

  it('has a KafkaTopic with the shared partitions and retention for every topic of libs/contracts and its dead-letter twin', () => {
    const docs = objects(overlay);
    const topics = ofKind(docs, 'KafkaTopic');
    expect(topics.map((t) => t.spec.topicName).sort()).toEqual(topicNames().sort());
    for (const topic of Object.values(Topics)) expect(topics.map((t) => t.spec.topicName)).toContain(topic);
    for (const t of topics) {
      expect({ topic: t.spec.topicName, cluster: t.metadata.labels?.['strimzi.io/cluster'], partitions: t.spec.partitions, retention: t.spec.config['retention.ms'] }).toEqual({
        topic: t.spec.topicName,
        cluster: KAFKA_CLUSTER,
        partitions: topicSettings.partitions,
        retention: topicSettings.retentionMs,
      });
    }
    expect(ofKind(docs, 'Kafka').map((k) => k.metadata.name)).toEqual([KAFKA_CLUSTER]);
    // The services create a missing topic with the same settings, and reach the cluster's bootstrap service.
    const config = ofKind(docs, 'ConfigMap').find((c) => c.metadata.name.startsWith('tracker-config'));
    const { KAFKA_BROKERS, KAFKA_TOPIC_PARTITIONS, KAFKA_TOPIC_RETENTION_MS } = config?.data ?? {};
    expect({ KAFKA_BROKERS, KAFKA_TOPIC_PARTITIONS, KAFKA_TOPIC_RETENTION_MS }).toEqual({
      KAFKA_BROKERS: `${KAFKA_CLUSTER}-kafka-bootstrap:9092`,
      KAFKA_TOPIC_PARTITIONS: String(topicSettings.partitions),
      KAFKA_TOPIC_RETENTION_MS: String(topicSettings.retentionMs),
    });
    // Each Deployment reads that ConfigMap.
    for (const d of ofKind(docs, 'Deployment')) {
      expect(d.spec.template.spec.containers[0].envFrom).toEqual([{ configMapRef: { name: config?.metadata.name } }]);
    }
  });

  it('holds no plain secret: API keys and the database credentials come from Secrets nobody commits', () => {
    const docs = objects(overlay);
    const secretish = /KEY|PASSWORD|SECRET|TOKEN|MONGO_URL/i;
    for (const d of ofKind(docs, 'Deployment')) {
      for (const e of (d.spec.template.spec.containers as Container[]).flatMap((c) => c.env ?? [])) {
        if (secretish.test(e.name)) expect({ name: e.name, value: e.value, secret: !!e.valueFrom?.secretKeyRef }).toEqual({ name: e.name, value: undefined, secret: true });
      }
    }
    for (const c of ofKind(docs, 'ConfigMap')) expect(Object.keys(c.data ?? {}).filter((k) => secretish.test(k))).toEqual([]);
    const secrets = ofKind(docs, 'Secret');
    if (overlay === 'production') {
      expect(secrets).toEqual([]);
    } else {
      // Only the local overlay's throw-away MongoDB password, marked as such; never API keys.
      expect(secrets.map((s) => [s.metadata.name, s.metadata.annotations?.['agreement-tracker/local-only'], Object.keys({ ...s.data, ...s.stringData })])).toEqual([
        ['tracker-mongodb-password', 'true', ['password']],
      ]);
    }
  });
});

describe('the production overlay', () => {
  it('runs three KRaft nodes (controllers and brokers) and a three-member MongoDB replica set', () => {
    const docs = objects('production');
    const pools = ofKind(docs, 'KafkaNodePool').filter((p) => p.metadata.labels?.['strimzi.io/cluster'] === KAFKA_CLUSTER);
    const count = (role: string) => pools.filter((p) => (p.spec.roles as string[]).includes(role)).reduce((n, p) => n + p.spec.replicas, 0);
    expect({ controllers: count('controller'), brokers: count('broker') }).toEqual({ controllers: 3, brokers: 3 });
    expect(ofKind(docs, 'KafkaTopic').every((t) => t.spec.replicas === 3 && t.spec.config['min.insync.replicas'] === 2)).toBe(true);
    expect(ofKind(docs, 'MongoDBCommunity').map((m) => [m.spec.type, m.spec.members])).toEqual([['ReplicaSet', 3]]);
  });
});

describe('generated files', () => {
  it.each(Object.entries(generatedFiles()))('%s is what `npm run k8s:generate` writes from tools/k8s/topics.ts', (file, content) => {
    expect(readFileSync(path.join(root, file), 'utf8')).toBe(content);
  });
});

describe('docker-compose.yml', () => {
  const compose = parse(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
    services: Record<string, { env_file?: string[]; environment?: Record<string, string | number> }>;
  };

  it('runs the same services on the same ports, with the topic settings of the shared file', () => {
    const services = Object.keys(compose.services).filter((s) => s !== 'kafka' && s !== 'mongo');
    expect(services.sort()).toEqual(Object.keys(SERVICES).sort());
    for (const name of services) {
      const s = compose.services[name];
      expect({ name, PORT: String(s.environment?.PORT), MONGO_DB: s.environment?.MONGO_DB, env_file: s.env_file }).toEqual({
        name,
        PORT: new URL(SERVICES[name].url).port,
        MONGO_DB: name,
        env_file: ['deploy/k8s/base/topics.env'],
      });
      // environment would override the shared file.
      expect(Object.keys(s.environment ?? {}).filter((k) => k.startsWith('KAFKA_TOPIC_'))).toEqual([]);
    }
    // The broker's default for topics created any other way.
    expect(Number(compose.services.kafka.environment?.KAFKA_NUM_PARTITIONS)).toBe(topicSettings.partitions);
  });

  // Chosen when the file loads: where `docker compose` is missing the test is reported as skipped, with the reason.
  const docker = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' });
  const hasCompose = !docker.error && docker.status === 0;
  if (!hasCompose) {
    console.warn(`docker-compose.yml: \`docker compose config\` skipped: \`docker compose\` is not available here (${docker.error?.message ?? docker.stderr.trim()})`);
  }
  (hasCompose ? it : it.skip)('is accepted by `docker compose config`', () => {
    const result = spawnSync('docker', ['compose', '-f', 'docker-compose.yml', 'config', '--quiet'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, API_KEYS: '[{"name":"ops","roles":["admin"],"key":"compose-config-check"}]' },
    });
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
  });
});
