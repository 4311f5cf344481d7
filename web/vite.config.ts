/// <reference types="node" />
import { readFileSync } from 'node:fs';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

/** Swagger UI for the API's interactive docs (/api/v1/docs), served by Atrium itself: no CDN. */
function swaggerUi(): Plugin {
  const files = ['swagger-ui-bundle.js', 'swagger-ui-bundle.js.LICENSE.txt', 'swagger-ui.css', 'favicon-32x32.png', 'LICENSE', 'NOTICE'];
  return {
    name: 'atrium-swagger-ui',
    generateBundle() {
      for (const file of files) {
        const source = readFileSync(`node_modules/swagger-ui-dist/${file}`);
        this.emitFile({ type: 'asset', fileName: `swagger/${file}`, source });
      }
    },
  };
}

// The built dashboard is committed under the Python package and served by the Atrium server.
export default defineConfig({
  plugins: [react(), swaggerUi()],
  base: '/',
  build: {
    outDir: '../src/atrium/web/static',
    emptyOutDir: true,
  },
  server: {
    proxy: { '/api': 'http://127.0.0.1:8420' },
  },
});
