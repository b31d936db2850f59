import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const root = fileURLToPath(new URL('.', import.meta.url));
const api = process.env.LINLI_API ?? 'http://localhost:3000';

export default defineConfig({
  root,
  plugins: [react()],
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    // The staff apps (antd, echarts) are large on purpose; they load only on their own routes.
    chunkSizeWarningLimit: 1600,
  },
  server: {
    proxy: { '/api': api, '/openapi.json': api, '/healthz': api },
  },
});
