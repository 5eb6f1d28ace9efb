import { mount } from 'svelte';
import App from './App.svelte';
import './app.css';

async function start() {
  // `npm run dev:mock`: an in-memory backend instead of the Rust commands (never in a normal build).
  if (import.meta.env.VITE_MOCK_IPC === '1') {
    const { installMockBackend } = await import('./dev/mock-backend');
    installMockBackend();
  }
  const target = document.getElementById('app');
  if (!target) throw new Error('#app is missing from index.html');
  mount(App, { target });
}

void start();
