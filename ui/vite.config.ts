// Builds ui/ into ui/dist, which src-tauri embeds. The app's CSP allows only 'self' for scripts and
// styles, so nothing may be inlined: no data: URLs, no inline sourcemaps, no inline preload polyfill.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  base: './',
  clearScreen: false,
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    assetsInlineLimit: 0,
    cssCodeSplit: false,
    modulePreload: { polyfill: false },
  },
  server: { port: 1420, strictPort: true },
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts'],
  },
});
