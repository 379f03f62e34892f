/** Entry point: styles, the service worker, the controller, the app. */
import './styles/app.css';
import { render } from 'preact';
import { App } from './app.tsx';
import { controller } from './app/controller.ts';
import { lang } from './i18n/index.ts';

document.documentElement.lang = lang();
const root = document.getElementById('app');
if (root) {
  root.textContent = '';
  render(<App />, root);
}
void controller.start();

if ('serviceWorker' in navigator) {
  window.addEventListener('load', () => {
    navigator.serviceWorker.register('/field/sw.js', { scope: '/field/' }).catch(() => undefined);
  });
}
