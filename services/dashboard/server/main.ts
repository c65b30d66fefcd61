/**
 * `npm run start:dashboard`: the dashboard on PORT (3000), proxying to the services named by AGREEMENTS_URL,
 * MILESTONES_URL and ALERTS_URL (defaults: 127.0.0.1 ports 3001-3003) and serving DASHBOARD_DIST (dist/dashboard,
 * written by `npm run build:dashboard`).
 */
import path from 'node:path';
import { createDashboard, Upstreams, type Upstream } from './server';
import { dashboardConfig } from './config';

const config = (() => {
  try {
    return dashboardConfig(process.env, path.resolve(__dirname, '../../..'));
  } catch (err) {
    console.error(`dashboard: ${(err as Error).message}`);
    process.exit(1);
  }
})();

const app = createDashboard(config);
const server = app.listen(config.port, config.host, () => {
  const upstreams = Upstreams.map((name: Upstream) => `${name} ${config.upstreams[name]}`).join(', ');
  console.log(
    `dashboard listening on http://${config.host}:${config.port} (proxying ${upstreams}; assets ${config.staticDir})`,
  );
});
server.on('error', (err) => {
  console.error(`dashboard: ${err.message}`);
  process.exit(1);
});
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    // Open SSE streams would hold close() for ever.
    server.closeAllConnections();
    server.close(() => process.exit(0));
  });
}
