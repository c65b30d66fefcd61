// `npm run k8s:generate`: writes the files generated from tools/k8s/topics.ts (KafkaTopics, topic settings).
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generatedFiles } from './topics';

const root = path.resolve(__dirname, '../..');
for (const [file, content] of Object.entries(generatedFiles())) {
  mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  writeFileSync(path.join(root, file), content);
  console.log(`wrote ${file}`);
}
