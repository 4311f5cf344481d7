import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The built dashboard is committed under the Python package and served by the Atrium server.
export default defineConfig({
  plugins: [react()],
  base: '/',
  build: {
    outDir: '../src/atrium/web/static',
    emptyOutDir: true,
  },
  server: {
    proxy: { '/api': 'http://127.0.0.1:8420' },
  },
});
