import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The renderer build. base './' because the Electron shell loads it from file://.
export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [react()],
  build: { outDir: '../dist/renderer', emptyOutDir: true, sourcemap: true },
});
