// Vite build of the web app: two pages (the public map at /, the console at /console), hashed
// assets under /assets/, no module-preload polyfill (every browser we target has it), output in
// web/dist, served by src/http/routes/web.ts.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/',
  publicDir: 'public',
  logLevel: 'warn',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2020',
    modulePreload: { polyfill: false },
    // dist/.vite/manifest.json: which chunks each page loads (the bundle budget test reads it).
    manifest: true,
    // Inline assets would need 'unsafe-inline' or data: in the CSP; keep every asset a file.
    assetsInlineLimit: 0,
    rollupOptions: {
      input: { index: `${root}index.html`, console: `${root}console.html` },
    },
  },
});
