import { resolve } from 'node:path'
import { defineConfig } from 'vite'

const root = resolve(import.meta.dirname, 'client')

/** One HTML entry per page; the Node server maps routes to them (server/static.node.ts). */
export const PAGES = {
  index: resolve(root, 'index.html'),
  movie: resolve(root, 'movie.html'),
  upload: resolve(root, 'upload.html'),
  admin: resolve(root, 'admin.html'),
}

export default defineConfig({
  root,
  publicDir: resolve(root, 'public'),
  build: {
    outDir: resolve(import.meta.dirname, 'dist/client'),
    emptyOutDir: true,
    target: 'es2022',
    rollupOptions: { input: PAGES },
  },
  worker: { format: 'es' },
  optimizeDeps: { exclude: ['@ffmpeg/ffmpeg', '@ffmpeg/util'] },
  server: {
    port: 5173,
    proxy: {
      '/api': 'http://127.0.0.1:3000',
      '/media': 'http://127.0.0.1:3000',
    },
    headers: {
      // ffmpeg.wasm's threaded core needs SharedArrayBuffer, which needs cross-origin isolation.
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cross-Origin-Embedder-Policy': 'require-corp',
    },
  },
})
