import type { Plugin } from 'esbuild';
export const rawTextPlugin: Plugin;
