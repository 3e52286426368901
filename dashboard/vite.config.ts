import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The dashboard is static files: `npm start` serves them from dashboard/dist, AWS from S3 behind
// CloudFront. Relative asset paths let either host it at any path.
export default defineConfig({
  root: import.meta.dirname,
  base: './',
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 1024 },
  logLevel: 'warn',
});
