import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

// Preact without a framework plugin: the JSX transform is pointed at preact directly.
export default defineConfig({
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2020', sourcemap: false },
  server: { proxy: { '/api': 'http://127.0.0.1:8080' } },
  plugins: [
    VitePWA({
      registerType: 'autoUpdate',
      injectRegister: 'script-defer',
      includeAssets: ['favicon.svg', 'apple-touch-icon.png'],
      manifest: {
        name: 'Cordée',
        short_name: 'Cordée',
        description: 'Coordination des parcours de santé entre professionnels du territoire',
        lang: 'fr',
        dir: 'ltr',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        theme_color: '#0a5c63',
        background_color: '#f5f7f8',
        icons: [
          { src: '/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: '/icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: '/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
          { src: '/favicon.svg', sizes: 'any', type: 'image/svg+xml' },
        ],
      },
      workbox: {
        // The app shell only: never the API (health data is not cached by the service worker).
        globPatterns: ['**/*.{js,css,html,svg,png,webmanifest}'],
        navigateFallback: '/index.html',
        navigateFallbackDenylist: [/^\/api\//, /^\/(livez|readyz|metrics)$/, /^\/openapi\.json$/],
        cleanupOutdatedCaches: true,
        // Web Push handlers (push, notificationclick, pushsubscriptionchange) beside the generated worker.
        importScripts: ['/push-sw.js'],
      },
    }),
  ],
});
