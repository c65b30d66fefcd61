/**
 * The dashboard's build (`npm run build:dashboard` → dist/dashboard) and its dev server (`npx vite --config
 * services/dashboard/vite.config.mts`, proxying /api like the dashboard server does).
 */
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const upstream = (name: string, port: number) => ({
  target: process.env[`${name.toUpperCase()}_URL`] ?? `http://127.0.0.1:${port}`,
  changeOrigin: true,
  rewrite: (path: string) => path.slice(`/api/${name}`.length) || '/',
});

export default defineConfig({
  root: here('./web'),
  plugins: [react()],
  resolve: { alias: { '@tracker/contracts': here('../../libs/contracts/src/index.ts') } },
  build: {
    outDir: here('../../dist/dashboard'),
    emptyOutDir: true,
    sourcemap: true,
    reportCompressedSize: true,
  },
  server: {
    port: 5173,
    proxy: {
      '/api/agreements': upstream('agreements', 3001),
      '/api/milestones': upstream('milestones', 3002),
      '/api/alerts': upstream('alerts', 3003),
    },
  },
});
