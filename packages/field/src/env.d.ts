/**
 * The field app runs in browsers: its sources see the DOM types. (The service worker declares
 * the few worker types it needs itself, see sw.ts, because the DOM and WebWorker libraries
 * clash.) Node tests of the platform-neutral parts use only what Node 20 has too: WebCrypto,
 * fetch, Blob, TextEncoder.
 */
/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
export {};

declare module '*.css';
