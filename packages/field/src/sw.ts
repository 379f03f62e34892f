/**
 * The service worker: every file of the app is precached (Workbox, revisions from the build),
 * so after the first visit the app opens with no network at all. Navigations under /field/ get
 * the cached app shell; /api/ is never cached (records live in IndexedDB, not in HTTP caches).
 */
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';

/** Injected by scripts/build.mjs. */
declare const __PRECACHE_MANIFEST__: { url: string; revision: string | null }[];

/** The few worker types used here (the WebWorker library clashes with the DOM one the app uses). */
interface WorkerScope {
  skipWaiting(): Promise<void>;
  clients: { claim(): Promise<void> };
  addEventListener(type: 'install' | 'activate', listener: (event: { waitUntil(p: Promise<unknown>): void; data?: unknown }) => void): void;
}
const sw = self as unknown as WorkerScope;

precacheAndRoute(__PRECACHE_MANIFEST__);
cleanupOutdatedCaches();

registerRoute(
  new NavigationRoute(createHandlerBoundToURL('/field/index.html'), {
    allowlist: [/^\/field\/?/],
    denylist: [/^\/api\//],
  }),
);

// A new version takes over at once: records live in IndexedDB, and the app is one file, so a page
// of the old version never asks the new worker for a file it no longer has.
sw.addEventListener('install', () => void sw.skipWaiting());
sw.addEventListener('activate', (event) => event.waitUntil(sw.clients.claim()));
