import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';

// Served by the api at /app (Features/App); `npm run dev` proxies the api on :5080.
export default defineConfig({
  base: '/app/',
  plugins: [vue()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2020',
    chunkSizeWarningLimit: 400,
  },
  server: {
    proxy: { '/v1': 'http://localhost:5080' },
  },
});
